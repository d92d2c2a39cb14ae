import { formatIssue, toLoadError, zodIssues, type PluginError } from '../core/errors.js';
import { failures, safeText } from '../core/failures.js';
import { PluginEntrySchema, type PluginEntry, type ResolvedConfig } from './config.js';
import { mergeServerConfig, resolvePaths } from './external-config.js';
import { CONNECT_TIMEOUT_MS, McpSession } from './mcp-client.js';
import type { Logger } from './observability.js';
import type { RemotePlugin } from './external-runner.js';

type Entry = ResolvedConfig['plugins'][number];

/** What one `get_plugin_config` reply may weigh; a plugin's config is small. */
const MAX_CONFIG_BYTES = 1_000_000;
/** What one `invoke_hook` reply may weigh: the spec's default bound on what a plugin returns (max_result_bytes). */
export const MAX_REPLY_BYTES = 10_000_000;

export interface ExternalPlugins {
  /** the config's entries, external ones merged with their server's config */
  entries: Entry[];
  /** by plugin name */
  remotes: Map<string, RemotePlugin>;
  /** external plugins whose server could not be used and whose on_error let the manager start without them */
  unavailable: string[];
}

/**
 * Connects every enabled external plugin to its server and merges the server's config into its entry (the local
 * entry's keys win). A server that cannot be reached or answers nothing usable fails initialize() with an error
 * naming the plugin and the server, unless the entry's `on_error` is ignore or disable.
 */
export async function connectExternals(entries: Entry[], logger: Logger): Promise<ExternalPlugins> {
  const remotes = new Map<string, RemotePlugin>();
  const sessions = new Map<string, McpSession>();
  const unavailable: string[] = [];
  const settled = await Promise.allSettled(entries.map(async (entry) => {
    if (!entry.external || entry.external.local.mode === 'disabled') return entry;
    const remote = remoteOf(entry, sessions, logger);
    remotes.set(entry.name, remote);
    try {
      return await fetchConfig(entry, remote);
    } catch (err) {
      const error = err as PluginError;
      if (entry.on_error !== 'ignore' && entry.on_error !== 'disable') throw error;
      logger.warn(`${error.message}; the plugin stays disabled until enablePlugin('${entry.name}') succeeds`);
      unavailable.push(entry.name);
      return entry;
    }
  }));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all([...sessions.values()].map((s) => s.close()));
    throw failed.reason;
  }
  return { entries: settled.map((s) => (s as PromiseFulfilledResult<Entry>).value), remotes, unavailable };
}

/** Tries an unavailable external plugin's server again; the merged entry on success, a PluginError otherwise. */
export function retryExternal(entry: PluginEntry, remote: RemotePlugin): Promise<Entry> {
  return fetchConfig(entry, remote);
}

/**
 * Entries that name the same server share one session (the tools take the plugin's name): one STDIO server
 * process, or one HTTP session, per server rather than per plugin.
 */
function remoteOf(entry: Entry, sessions: Map<string, McpSession>, logger: Logger): RemotePlugin {
  const { mcp, baseDir } = entry.external!;
  const { reconnect_attempts, reconnect_delay, ...server } = resolvePaths(mcp, baseDir);
  const key = JSON.stringify(server);
  let session = sessions.get(key);
  if (!session) sessions.set(key, (session = new McpSession(entry.name, { ...server, reconnect_attempts, reconnect_delay }, MAX_REPLY_BYTES, logger)));
  return { name: entry.name, session, hooks: entry.hooks, reconnectAttempts: reconnect_attempts, reconnectDelayMs: reconnect_delay * 1000 };
}

/** Connecting and asking for the config are bounded together by the handshake's bound, not by the plugin's timeout. */
async function fetchConfig(entry: PluginEntry, remote: RemotePlugin): Promise<Entry> {
  const timeoutMs = CONNECT_TIMEOUT_MS;
  const spec = entry.external!;
  const fail = (why: string) => toLoadError(entry.name, failures.loadFailed(`plugin server ${remote.session.target}: ${why}`));
  let answer: unknown;
  try {
    const text = await remote.session.callTool('get_plugin_config', { name: entry.name }, AbortSignal.timeout(timeoutMs), timeoutMs);
    if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) throw new Error(`its config is over ${MAX_CONFIG_BYTES} bytes`);
    answer = JSON.parse(text);
  } catch (err) {
    await remote.session.reset();
    throw fail(`the server cannot be used: ${safeText(String((err as Error)?.message ?? err), 500)}`);
  }
  const merge = mergeServerConfig(spec.local, answer);
  if ('error' in merge) {
    await remote.session.reset();
    throw fail(merge.error);
  }
  const parsed = PluginEntrySchema.safeParse({ name: entry.name, kind: entry.kind, ...merge.merged, on_error: entry.on_error, timeout: entry.timeout });
  if (!parsed.success) throw fail(`the merged config is invalid: ${formatIssue(zodIssues(parsed.error.issues)[0]!)}`);
  const serverHooks = (answer as { hooks?: unknown }).hooks;
  remote.hooks = Array.isArray(serverHooks) ? serverHooks.filter((h): h is string => typeof h === 'string') : parsed.data.hooks;
  return { ...parsed.data, isolation: 'external', external: spec, modulePath: '', bundled: false };
}
