import { firstIssue } from './errors.js';
import { failures, type Failure } from './failures.js';
import type { HookSpec } from './hooks.js';
import { modeRules, type OnError, type RunnableMode } from './modes.js';
import { applyModification, mergeMetadata, type Policy, type PolicySettings } from './policies.js';
import { jsonBytes } from './plain-data.js';
import { normalizeResult, RawPluginResultSchema, type JsonObject, type PluginResult, type PluginViolation } from './schemas.js';
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

export function stepChain(view: ChainView, plugin: StepPlugin, outcome: Outcome, log: Log): Step {
  const rules = modeRules(plugin.mode, plugin.onError, view.failOnPluginError);
  const failure = outcome.ok ? parseResult(outcome.result, outcome.global, view.settings.maxPayloadBytes) : { failure: outcome.failure };
  if ('failure' in failure) {
    if (rules.onError === 'fail') return { kind: 'fail', failure: failure.failure };
    log('warn', `plugin ${plugin.name} failed on ${view.hook.name} (${plugin.mode}, on_error ${rules.onError}): ${failure.failure.message}`);
    return { kind: 'continue', result: null, ...(rules.onError === 'disable' ? { disable: true } : {}) };
  }
  const result = failure.result;
  if (rules.mayModify) {
    const merge = applyModification(view.hook, view.policy, view.payload, result.modified_payload, view.settings.maxPayloadBytes);
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
 * A plugin's result, parsed; its metadata, its violation and its copy of the global context are held to the payload
 * limit too (checked only when present: most plugins return none), so no plugin can grow the caller's objects, or
 * hand the caller a violation, unbounded.
 */
export function parseResult(raw: unknown, global: unknown, maxBytes: number): { result: PluginResult } | { failure: Failure } {
  const parsed = RawPluginResultSchema.safeParse(raw);
  if (!parsed.success) {
    return { failure: failures.invalidResult(`invalid result: ${firstIssue(parsed.error.issues)}`) };
  }
  const result = normalizeResult(parsed.data);
  for (const [what, value] of [['metadata', result.metadata], ['violation', result.violation], ['global context', global]] as const) {
    if (value && typeof value === 'object' && Object.keys(value).length && jsonBytes(value, maxBytes) > maxBytes) {
      return { failure: failures.invalidResult(`invalid result: its ${what} is over the limit of ${maxBytes} bytes`) };
    }
  }
  return { result };
}

function mergeShallow(into: JsonObject, from: JsonObject): void {
  for (const key of Object.keys(from)) {
    if (key !== '__proto__') into[key] = from[key];
  }
}
