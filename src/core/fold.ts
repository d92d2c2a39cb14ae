import { firstIssue } from './errors.js';
import { failures, type Failure } from './failures.js';
import type { HookSpec } from './hooks.js';
import { modeRules, type OnError, type RunnableMode } from './modes.js';
import { applyModification, mergeMetadata, type Policy, type PolicySettings } from './policies.js';
import { contributedBytes, type Contribution } from './result-size.js';
import { normalizeResult, RawPluginResultSchema, type JsonObject, type LocalContext, type PluginResult, type PluginViolation } from './schemas.js';
import type { Outcome } from './protocol.js';

/**
 * One invocation's running state, and the one reducer that folds a plugin's outcome into it. The worker runs it
 * between the plugins of a batched run (so the next plugin sees the merged payload without a thread hop); the
 * host runs it again on what the worker reports, and only the host's state is ever returned to a caller.
 */
export interface ChainView {
  hook: HookSpec;
  policy: Policy;
  settings: PolicySettings;
  failOnPluginError: boolean;
  payload: JsonObject;
  modified: boolean;
  metadata: JsonObject;
  /** where global-context merges go: on the host, the caller's own objects */
  global: { state: JsonObject; metadata: JsonObject };
  decisionPlugin: string | null;
}

export type Step =
  /** `disable`: the plugin failed and its `on_error` takes it out of the chain from now on */
  | { kind: 'continue'; result: PluginResult | null; disable?: boolean }
  | { kind: 'block'; result: PluginResult; violation: PluginViolation | null }
  | { kind: 'fail'; failure: Failure };

export type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface StepPlugin {
  name: string;
  mode: RunnableMode;
  onError?: OnError | undefined;
}

export function stepChain(view: ChainView, plugin: StepPlugin, outcome: Outcome, log: Log, localGiven?: Partial<LocalContext>): Step {
  const rules = modeRules(plugin.mode, plugin.onError, view.failOnPluginError);
  const failure = outcome.ok
    ? parseResult(outcome.result, { global: outcome.global, local: outcome.local, localGiven }, view.settings.maxResultBytes)
    : { failure: outcome.failure };
  if ('failure' in failure) {
    if (rules.onError === 'fail') return { kind: 'fail', failure: failure.failure };
    log('warn', `plugin ${plugin.name} failed on ${view.hook.name} (${plugin.mode}, on_error ${rules.onError}): ${failure.failure.message}`);
    return { kind: 'continue', result: null, ...(rules.onError === 'disable' ? { disable: true } : {}) };
  }
  const result = failure.result;
  if (rules.mayModify) {
    const merge = applyModification(view.hook, view.policy, view.payload, result.modified_payload);
    if (merge.accepted) {
      view.payload = merge.payload;
      view.modified = true;
      view.decisionPlugin = plugin.name;
    } else if (merge.rejected) {
      log('warn', `modification by plugin ${plugin.name} on ${view.hook.name} dropped: ${merge.rejected}`);
    }
  } else if (result.modified_payload !== null) {
    log('debug', `plugin ${plugin.name} (${plugin.mode}) may not modify ${view.hook.name}; its modification is discarded`);
  }
  mergeMetadata(view.metadata, result.metadata);
  if (rules.mergesGlobal && outcome.ok && outcome.global) {
    mergeShallow(view.global.state, outcome.global.state);
    mergeShallow(view.global.metadata, outcome.global.metadata);
  }
  if (result.continue_processing) return { kind: 'continue', result };
  const violation = result.violation ? { ...result.violation, plugin_name: plugin.name } : null;
  if (rules.mayBlock) return { kind: 'block', result, violation };
  log('info', `plugin ${plugin.name} (${plugin.mode}) would block ${view.hook.name}: ${violation?.reason ?? 'no reason given'}`);
  return { kind: 'continue', result };
}

/**
 * A plugin's result, parsed, and held to `max_result_bytes` on what the plugin itself contributed (result-size.ts),
 * so no plugin can grow the caller's objects unbounded, and a caller's large context never fails a plugin.
 */
export function parseResult(raw: unknown, contexts: Omit<Contribution, 'result'>, maxBytes: number): { result: PluginResult } | { failure: Failure } {
  // nothing returned (the usual no-op) is what the schema would accept as is: no parse needed
  const parsed = raw === null || raw === undefined ? { success: true as const, data: raw } : RawPluginResultSchema.safeParse(raw);
  if (!parsed.success) {
    return { failure: failures.invalidResult(`invalid result: ${firstIssue(parsed.error.issues)}`) };
  }
  const result = normalizeResult(parsed.data);
  const bytes = contributedBytes({ result, ...contexts });
  if (bytes > maxBytes) {
    return { failure: failures.invalidResult(`invalid result: it is ${bytes} bytes, over the limit of ${maxBytes} (plugin_settings.max_result_bytes)`) };
  }
  return { result };
}

function mergeShallow(into: JsonObject, from: JsonObject): void {
  for (const key of Object.keys(from)) {
    if (key !== '__proto__') into[key] = from[key];
  }
}
