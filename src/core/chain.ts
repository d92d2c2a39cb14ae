import { stepChain, type ChainView, type Log, type StepPlugin } from './fold.js';
import { failureOf, failures, type Failure } from './failures.js';
import { hookSpec } from './hooks.js';
import { copyPlain, NotPlainDataError, toPlainData } from './plain-data.js';
import { changedEntries } from './result-size.js';
import { policyFor } from './policies.js';
import type { GlobalContext, JsonObject } from './schemas.js';
import type { LoadedPlugin } from './loader.js';
import type { ChainEntry, LogLine, Outcome, PluginDefinition, PoolData, Segment } from './protocol.js';
import { clock } from './progress.js';

/** A plugin as the chain step needs it; an unknown id (never sent by the host) fails as the strictest mode would. */
export function stepPlugin(def: PluginDefinition | undefined, id: string): StepPlugin {
  return def ? { name: def.name, mode: def.mode, onError: def.onError } : { name: id, mode: 'sequential' };
}

/** What differs between running a chain in a worker and inline on the host. */
export interface ChainHooks {
  load(id: string): Promise<LoadedPlugin>;
  /** the plugin's name and mode, from its definition */
  pluginOf(id: string): StepPlugin;
  started(index: number): void;
  /** false: the outcome could not be kept for recovery, so the run must end after this plugin */
  finished(index: number, outcome: Outcome): boolean;
  /** starts collecting a sandboxed plugin's console lines for one invocation; the returned function ends it */
  capture?(id: string): () => LogLine[];
  /**
   * Lets the work a plugin left queued (promise chains) run before its run counts as over, so CPU it deferred is
   * charged to it, not to the plugin after it. Workers pass a macrotask turn; inline runs on the host do not wait.
   */
  settle?(): Promise<void>;
  /** wraps one plugin call's result; inline runs use it to race the plugin's timeout */
  guard?(index: number, pending: unknown): Promise<unknown>;
}

/**
 * Runs consecutive plugins of one invocation, folding each outcome with the shared chain step so the next plugin
 * sees the merged payload, and stops where the host will stop (a block, or a failure its mode does not ignore).
 * Returns one outcome per plugin that ran.
 */
export async function runChain(run: Segment, data: PoolData, hooks: ChainHooks): Promise<Outcome[]> {
  const hook = hookSpec(run.hook);
  const view: ChainView = {
    hook,
    policy: policyFor(hook, data.policy),
    settings: data.policy,
    failOnPluginError: data.failOnPluginError,
    payload: run.payload,
    modified: false,
    metadata: {},
    global: { state: { ...run.global.state }, metadata: { ...run.global.metadata } },
    decisionPlugin: null,
  };
  const quiet: Log = () => {};
  const outcomes: Outcome[] = [];
  for (let i = 0; i < run.plugins.length; i++) {
    const entry = run.plugins[i]!;
    hooks.started(i);
    const outcome = await runOne(run.hook, entry, view, run.global, hooks, i);
    await hooks.settle?.();
    outcomes.push(outcome);
    const last = i === run.plugins.length - 1;
    if (!last && !hooks.finished(i, outcome)) break;
    const step = stepChain(view, hooks.pluginOf(entry.id), outcome, quiet, entry.local);
    if (step.kind !== 'continue') break;
  }
  return outcomes;
}

async function runOne(hook: string, entry: ChainEntry, view: ChainView, global: GlobalContext, hooks: ChainHooks, index: number): Promise<Outcome> {
  const start = clock();
  const ms = () => clock() - start;
  const endCapture = hooks.capture?.(entry.id);
  // most invocations log nothing: an empty list would still cost a parse on the host for every plugin
  const logs = () => {
    const lines = endCapture?.();
    return lines?.length ? { logs: lines } : {};
  };
  try {
    const plugin = await hooks.load(entry.id);
    // its timeout starts now: loading (on a fresh worker, SES and every plugin of the pool) is not its time
    hooks.started(index);
    if (!plugin.hooks.includes(hook)) {
      return { ok: false, failure: failures.notImplemented(hook), ms: ms() };
    }
    const context = {
      state: entry.local?.state ?? {},
      metadata: entry.local?.metadata ?? {},
      global_context: copyPlain({ ...global, state: view.global.state, metadata: view.global.metadata }),
    };
    const pending = plugin.call(hook, copyPlain(view.payload), context);
    const raw = await (hooks.guard ? hooks.guard(index, pending) : pending);
    // Only what the plugin changed in its copy of the global context is sent: it is what merges, what its result is
    // measured on (result-size.ts), and every byte crosses. Most plugins touch neither context.
    const state = plain(context.global_context.state, 'global_context.state') as JsonObject;
    const metadata = plain(context.global_context.metadata, 'global_context.metadata') as JsonObject;
    const changes = { state: changedEntries(state, view.global.state), metadata: changedEntries(metadata, view.global.metadata) };
    const changed = Object.keys(changes.state).length || Object.keys(changes.metadata).length ? { global: changes } : {};
    const local = { state: plain(context.state, 'context.state') as JsonObject, metadata: plain(context.metadata, 'context.metadata') as JsonObject };
    const keepLocal = entry.local || Object.keys(local.state).length || Object.keys(local.metadata).length;
    return { ok: true, result: plain(raw, 'result') ?? null, ...changed, ...(keepLocal ? { local } : {}), ms: ms(), ...logs() };
  } catch (err) {
    return { ok: false, failure: describe(err), ms: ms(), ...logs() };
  }
}

function plain(value: unknown, what: string): unknown {
  try {
    return toPlainData(value, what);
  } catch (err) {
    if (err instanceof NotPlainDataError) throw new InvalidResult(err.message);
    throw err;
  }
}

class InvalidResult extends Error {}

function describe(err: unknown): Failure {
  if (err instanceof InvalidResult) return failures.invalidResult(`invalid result: ${err.message}`);
  return failureOf(err);
}
