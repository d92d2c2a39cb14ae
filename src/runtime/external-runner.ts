import { z } from 'zod';
import { failures, FailureCodeSchema, safeText, type Failure } from '../core/failures.js';
import { clock } from '../core/progress.js';
import type { LoadReply } from '../core/protocol.js';
import { JsonObject } from '../core/schemas.js';
import { isTransportFailure, ReplyTooLargeError, type McpSession } from './mcp-client.js';
import type { Logger } from './observability.js';
import type { Runner, Segment } from './runners.js';

/** A connected external plugin: its MCP session, the server's plugin name and the hooks the server serves. */
export interface RemotePlugin {
  name: string;
  session: McpSession;
  hooks: string[];
  reconnectAttempts: number;
  reconnectDelayMs: number;
}

/** The envelope of an `invoke_hook` reply (fleet.md section 3); its `result` is parsed by the host like any outcome. */
const ReplySchema = z.looseObject({
  result: z.unknown().optional(),
  error: z.looseObject({ message: z.string(), code: z.string().nullish(), details: JsonObject.nullish() }).nullish(),
  context: z.looseObject({
    state: z.unknown().optional(),
    metadata: z.unknown().optional(),
    global_context: z.looseObject({ state: z.unknown().optional() }).nullish(),
  }).nullish(),
});

const KNOWN_CODES = new Set<string>(FailureCodeSchema.options);

/**
 * `kind: external`: each invocation is one `invoke_hook` call on the plugin's server. What comes back is turned
 * into the same raw outcome a worker reports, so the executor parses it, filters it by policy and folds it by the
 * mode table like any other; nothing here merges anything. The plugin's timeout covers the whole remote call,
 * reconnections included, and its expiry cancels the MCP request.
 */
export class ExternalRunner implements Runner {
  /** one plugin per call: each is its own remote call */
  readonly batches = false;

  constructor(private readonly remotes: Map<string, RemotePlugin>, private readonly logger: Logger) {}

  async load(ids: string[]): Promise<LoadReply> {
    return ids.map((id) => ({ id, hooks: this.remotes.get(id)?.hooks ?? [] }));
  }

  /** Runs the segment's first plugin only; the executor sends the rest as a new segment. */
  async run(segment: Segment): Promise<unknown[]> {
    const entry = segment.plugins[0]!;
    const timeoutMs = segment.timeoutsMs[0]!;
    const started = clock();
    const remote = this.remotes.get(entry.id);
    if (!remote) return [{ ok: false, failure: failures.unknownPlugin('no such external plugin'), ms: 0 }];
    const controller = new AbortController();
    let stopped: Failure | null = null;
    const stop = (failure: Failure) => {
      stopped ??= failure;
      controller.abort();
    };
    const timer = setTimeout(() => stop(failures.timeout(timeoutMs)), timeoutMs);
    const cancel = () => stop(failures.cancelled());
    segment.signal?.addEventListener('abort', cancel, { once: true });
    const args = {
      hook_type: segment.hook,
      plugin_name: remote.name,
      payload: segment.payload,
      context: { state: entry.local?.state ?? {}, metadata: entry.local?.metadata ?? {}, global_context: segment.global },
    };
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }));
    try {
      const text = await Promise.race([this.call(remote, args, controller.signal, timeoutMs), aborted]);
      return [outcomeOf(text, segment, clock() - started)];
    } catch (err) {
      return [{ ok: false, failure: stopped ?? this.failureOf(remote, err), ms: clock() - started }];
    } finally {
      clearTimeout(timer);
      controller.abort();
      segment.signal?.removeEventListener('abort', cancel);
    }
  }

  /** One call; after a terminated session or a dropped transport, reconnects with linear back-off and retries once. */
  private async call(remote: RemotePlugin, args: Record<string, unknown>, signal: AbortSignal, timeoutMs: number): Promise<string> {
    try {
      return await remote.session.callTool('invoke_hook', args, signal, timeoutMs);
    } catch (err) {
      if (signal.aborted || !isTransportFailure(err)) throw err;
      this.logger.warn(`external plugin ${remote.name}: ${describe(err)}; reconnecting to ${remote.session.target}`);
      await this.reconnect(remote, signal, err);
      return remote.session.callTool('invoke_hook', args, signal, timeoutMs);
    }
  }

  private async reconnect(remote: RemotePlugin, signal: AbortSignal, first: unknown): Promise<void> {
    let last = first;
    for (let attempt = 1; attempt <= remote.reconnectAttempts && !signal.aborted; attempt++) {
      await remote.session.reset();
      try {
        await remote.session.connect();
        return;
      } catch (err) {
        last = err;
        if (attempt < remote.reconnectAttempts) await sleep(remote.reconnectDelayMs * attempt, signal);
      }
    }
    throw new Error(`could not reconnect after ${remote.reconnectAttempts} attempts: ${describe(last)}`);
  }

  private failureOf(remote: RemotePlugin, err: unknown): Failure {
    if (err instanceof ReplyTooLargeError) return failures.invalidResult(`invalid result: ${err.message}`);
    return failures.pluginServer(remote.session.target, describe(err));
  }

  async shutdownPlugins(): Promise<string[]> {
    return [];
  }

  async close(): Promise<void> {
    await Promise.all([...new Set([...this.remotes.values()].map((r) => r.session))].map((s) => s.close()));
  }
}

/** The reply as the raw outcome a worker would report: the result as the server sent it, its contexts beside it. */
function outcomeOf(text: string, segment: Segment, ms: number): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return invalid(`the server's reply is not JSON: ${safeText(text, 200)}`, ms);
  }
  const reply = ReplySchema.safeParse(json);
  if (!reply.success || (reply.data.result === undefined && !reply.data.error)) {
    return invalid('the server\'s reply holds neither a result nor an error', ms);
  }
  const { result, error, context } = reply.data;
  if (result === undefined) {
    const code = error!.code && KNOWN_CODES.has(error!.code) ? error!.code : 'PLUGIN_ERROR';
    const details = error!.details && Object.keys(error!.details).length ? { details: error!.details } : {};
    return { ok: false, failure: { code, message: safeText(error!.message), ...details }, ms };
  }
  const contexts = context ? {
    local: { state: context.state ?? {}, metadata: context.metadata ?? {} },
    global: { state: context.global_context?.state ?? segment.global.state, metadata: segment.global.metadata },
  } : {};
  return { ok: true, result: withoutNullViolationFields(result), ...contexts, ms };
}

/** ContextForge sends every violation field, unset ones as null; Cordon's results leave those out. */
function withoutNullViolationFields(result: unknown): unknown {
  const violation = (result as { violation?: unknown } | null)?.violation;
  if (!violation || typeof violation !== 'object' || Array.isArray(violation)) return result;
  return { ...(result as object), violation: Object.fromEntries(Object.entries(violation).filter(([, v]) => v !== null)) };
}

const invalid = (message: string, ms: number) => ({ ok: false, failure: failures.invalidResult(`invalid result: ${message}`), ms });

function describe(err: unknown): string {
  const e = err as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const cause = typeof e?.cause?.code === 'string' ? ` (${e.cause.code})` : '';
  return safeText(message + cause, 500);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
