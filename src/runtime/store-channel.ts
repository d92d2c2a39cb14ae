import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import type { Logger } from './observability.js';
import { safeText } from '../core/failures.js';
import { StoreRequestSchema, type StoreReply } from '../core/store-protocol.js';
import type { StoreGate } from './store-gate.js';

/**
 * Answers workers' store requests. Identity comes from the channel a request arrives on, never from the request:
 * each pool gets a channel of its own (its name is known only to that pool's threads and the host), bound to that
 * pool's plugins, so a `worker` plugin that opens its pool's channel can name none of a `sandbox` or `process`
 * plugin's keys. A process pool's requests arrive over each child's IPC channel and are answered with the same
 * binding (`answer`). Everything else (namespaces, quotas, value checks) is the StoreGate's.
 */
export class StoreServer {
  private readonly channels: BroadcastChannel[] = [];

  constructor(private readonly gate: StoreGate, private readonly logger: Logger) {}

  /** Opens a channel that may speak for the given plugins only; returns its name, for that pool's workers. */
  openChannel(plugins: readonly string[]): string {
    const name = `cordon-store-${randomUUID()}`;
    const channel = new BroadcastChannel(name);
    const bound = new Set(plugins);
    channel.unref();
    channel.onmessage = (event) => {
      const data = (event as MessageEvent).data as { kind?: unknown } | null;
      if (data?.kind !== 'request') return; // our own replies, echoed on the channel
      void this.answer(bound, data).then((reply) => reply && channel.postMessage(reply));
    };
    this.channels.push(channel);
    return name;
  }

  /** One request from a channel bound to `plugins`; undefined when it cannot even be answered (no usable id). */
  async answer(plugins: ReadonlySet<string>, data: unknown): Promise<StoreReply | undefined> {
    const parsed = StoreRequestSchema.safeParse(data);
    if (!parsed.success) {
      const id = (data as { id?: unknown } | null)?.id;
      // answer what can be answered, so the plugin's call fails at once instead of waiting for its timeout
      if (typeof id === 'string' && id.length <= 100) return { kind: 'reply', id, error: parsed.error.issues[0]?.message ?? 'invalid request' };
      this.logger.warn('store: dropped a malformed request from a worker');
      return undefined;
    }
    const req = parsed.data;
    if (!plugins.has(req.plugin)) {
      this.logger.warn(`store: refused a request naming plugin ${safeText(req.plugin.slice(0, 100))} on a channel not bound to it`);
      return { kind: 'reply', id: req.id, error: 'this channel does not speak for that plugin' };
    }
    const store = this.gate.forPlugin(req.plugin);
    try {
      const value = req.op === 'incr' ? await store.incr(req.key as string, req.ttl_ms as number | undefined, req.by as number | undefined)
        : req.op === 'get' ? await store.get(req.key as string)
        : req.op === 'set' ? await store.set(req.key as string, req.value, req.ttl_ms as number | undefined)
        : req.op === 'swap' ? await store.swap(req.key as string, req.expected, req.value, req.ttl_ms as number | undefined)
        : await store.delete(req.key as string);
      return { kind: 'reply', id: req.id, value: value ?? null };
    } catch (err) {
      return { kind: 'reply', id: req.id, error: safeText((err as Error)?.message ?? String(err)) };
    }
  }

  close(): void {
    for (const channel of this.channels.splice(0)) channel.close();
  }
}
