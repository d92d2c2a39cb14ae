import { z } from 'zod';
import type { Capabilities } from './capabilities.js';
import { FailureSchema } from './failures.js';
import type { Isolation } from './isolation.js';
import type { PolicySettings } from './policies.js';
import { JsonObject, LocalContextSchema, type GlobalContext, type LocalContext } from './schemas.js';
import type { OnError, RunnableMode } from './modes.js';

/** What a worker knows of a plugin; sent once per pool as workerData, so a task only carries plugin ids. */
export interface PluginDefinition {
  id: string;
  name: string;
  modulePath: string;
  isolation: Isolation;
  /** a sandboxed plugin's module, compiled once on the host (compile.ts) so workers need no compiler */
  compiled?: string;
  config: JsonObject;
  capabilities: Capabilities;
  /** values of the granted env names: workers start with an empty environment */
  envValues: Record<string, string>;
  timeoutMs: number;
  mode: RunnableMode;
  onError?: OnError | undefined;
}

export interface PoolData {
  plugins: PluginDefinition[];
  policy: PolicySettings;
  failOnPluginError: boolean;
  /** the BroadcastChannel of this pool's own on which the manager's StoreServer answers, for this pool's plugins only */
  storeChannel: string;
}

/** One plugin of a run: its mode is in its definition, and an empty local context is not sent at all. */
export interface ChainEntry {
  id: string;
  local?: LocalContext;
}

/**
 * A segment: consecutive plugins of one isolation level, run in one hop. The one message the executor hands a
 * runner (runners.ts adds timeouts and a cancel signal), a runner a worker (as a chain task) and the chain runs.
 */
export interface Segment {
  hook: string;
  payload: JsonObject;
  global: GlobalContext;
  plugins: ChainEntry[];
}

export interface ChainTask extends Segment {
  op: 'chain';
  /** progress and outcome log, read by the host when it has to stop the worker mid-run */
  progress: SharedArrayBuffer;
}

export interface LoadTask {
  op: 'load';
  ids: string[];
}

export interface ShutdownTask {
  op: 'shutdown';
  /** every worker joins the barrier first, so each worker gets exactly one shutdown task */
  barrier: SharedArrayBuffer;
  workers: number;
}

export type WorkerTask = ChainTask | LoadTask | ShutdownTask;

const LogLine = z.object({ level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string().max(64 * 1024) });
export type LogLine = z.infer<typeof LogLine>;

/** One plugin's run as the worker reports it; the host parses it before merging anything. */
export const OutcomeSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    result: z.unknown(),
    /** the entries of its copy of the global context that the plugin changed; absent when it changed none */
    global: z.object({ state: JsonObject, metadata: JsonObject }).optional(),
    /** the plugin's local context; absent when it was sent none and left it empty */
    local: LocalContextSchema.optional(),
    ms: z.number(),
    logs: z.array(LogLine).optional(),
  }),
  z.object({ ok: z.literal(false), failure: FailureSchema, ms: z.number(), logs: z.array(LogLine).optional() }),
]);
export type Outcome = z.infer<typeof OutcomeSchema>;

/**
 * The outcome of a plugin that returned nothing and changed no context, the most common one by far, is exactly
 * `{ ok: true, result: null, ms }`: checked here key by key, it needs neither the plain-data walk nor the schema
 * (whose result it is, unchanged). On the host it arrived by structured cloning, so reading it runs nothing; in a
 * worker it is the runtime's own object.
 */
export function isBarePass(raw: unknown): raw is Outcome {
  if (typeof raw !== 'object' || raw === null || Object.getPrototypeOf(raw) !== Object.prototype) return false;
  const o = raw as Record<string, unknown>;
  let keys = 0;
  for (const key in o) {
    if (!Object.hasOwn(o, key) || (key !== 'ok' && key !== 'result' && key !== 'ms')) return false;
    keys++;
  }
  return keys === 3 && o.ok === true && o.result === null && typeof o.ms === 'number' && Number.isFinite(o.ms);
}

export const LoadReplySchema = z.array(z.union([
  z.object({ id: z.string(), hooks: z.array(z.string()) }),
  z.object({ id: z.string(), failure: FailureSchema }),
]));
export type LoadReply = z.infer<typeof LoadReplySchema>;
