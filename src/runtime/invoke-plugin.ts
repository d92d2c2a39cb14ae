import { admitGlobalContext, admitPayload } from './admission.js';
import { firstIssue, PayloadValidationError, PluginError, toPluginError } from '../core/errors.js';
import { failures, safeText, type Failure } from '../core/failures.js';
import { passResult, violationError, type ExecutorDeps } from './executor.js';
import { hookSpec } from '../core/hooks.js';
import { modeRules } from '../core/modes.js';
import { logConsole, parseOutcome } from './outcomes.js';
import type { RegisteredPlugin } from './registry.js';
import type { JsonObject, PluginContext, PluginResult } from '../core/schemas.js';
import { mergeMetadata } from '../core/policies.js';
import { parseResult } from '../core/fold.js';

export interface SingleOptions {
  payloadAsJson?: boolean;
  violationsAsExceptions?: boolean;
  /** stops the plugin (its worker or process too) and fails the call with CANCELLED: a plugin server's caller left */
  signal?: AbortSignal;
}

/**
 * `invokeHookForPlugin`: exactly one plugin, with its timeout, mode and error rules, but no conditions, ordering
 * or merging. Its modified payload comes back as the plugin returned it, once it parses with the hook's schema.
 */
export async function invokeSingle(deps: ExecutorDeps, name: string, hookName: string, payload: unknown, context: unknown,
  options: SingleOptions = {}): Promise<PluginResult> {
  const plugin = deps.registry.get(name);
  if (!plugin) throw new PluginError({ message: `Unknown plugin ${name}`, plugin_name: name, code: 'UNKNOWN_PLUGIN' });
  if (!plugin.implemented.includes(hookName)) {
    throw new PluginError({ message: `Plugin ${name} does not implement ${hookName}`, plugin_name: name, code: 'NOT_IMPLEMENTED' });
  }
  const hook = hookSpec(hookName);
  const current = admitPayload(hook, options.payloadAsJson ? parseJson(hookName, payload) : payload, deps.policy.maxPayloadBytes);
  const isPluginContext = !!context && typeof context === 'object' && 'global_context' in context;
  const pluginContext = isPluginContext ? (context as PluginContext) : null;
  const global = admitGlobalContext(hookName, pluginContext ? pluginContext.global_context : context);
  const given = pluginContext ? { state: pluginContext.state ?? {}, metadata: pluginContext.metadata ?? {} } : undefined;
  const raw = await deps.runnerFor(plugin).run({
    hook: hookName,
    payload: current,
    global,
    plugins: [given ? { id: plugin.id, local: given } : { id: plugin.id }],
    timeoutsMs: [plugin.timeoutMs],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const outcome = parseOutcome(raw[0]);
  logConsole(deps.logger, name, outcome);
  const checked = outcome.ok
    ? checkResult(hookName, parseResult(outcome.result, { global: outcome.global, local: outcome.local, localGiven: given }, deps.policy.maxResultBytes))
    : { failure: outcome.failure };
  // a PluginContext comes back as the plugin left its copy of the global context too (what a plugin server returns):
  // the entries it changed, all a worker sends
  if (outcome.ok && outcome.global && pluginContext && !('failure' in checked)) {
    Object.assign(global.state, outcome.global.state);
    Object.assign(global.metadata, outcome.global.metadata);
  }
  if ('failure' in checked) {
    const onError = modeRules(plugin.mode, plugin.onError, deps.failOnPluginError).onError;
    if (onError === 'fail') throw toPluginError(name, hookName, checked.failure);
    deps.logger.warn(`plugin ${name} failed on ${hookName} (${plugin.mode}, on_error ${onError}): ${safeText(checked.failure.message)}`);
    if (onError === 'disable') deps.registry.disable(name);
    return passResult();
  }
  if (outcome.ok && outcome.local && pluginContext) {
    pluginContext.state = outcome.local.state;
    pluginContext.metadata = outcome.local.metadata;
  }
  const result = checked.result;
  // keys starting with `_` belong to the runtime, on this entry point as in a chain's merge
  const metadata: JsonObject = {};
  mergeMetadata(metadata, result.metadata);
  result.metadata = metadata;
  if (result.violation) result.violation = { ...result.violation, plugin_name: name };
  if (!result.continue_processing && options.violationsAsExceptions && modeRules(plugin.mode, plugin.onError, false).mayBlock) {
    throw violationError(hookName, name, result.violation);
  }
  return result;
}

/** The chain step's parse of a result, then its modified payload checked whole (there is no merge to filter it). */
function checkResult(hookName: string, parsed: ReturnType<typeof parseResult>): { result: PluginResult } | { failure: Failure } {
  if ('failure' in parsed) return parsed;
  const { result } = parsed;
  if (result.modified_payload !== null) {
    const hook = hookSpec(hookName);
    const check = (hook.resultSchema ?? hook.payloadSchema).safeParse(result.modified_payload);
    if (!check.success) {
      return { failure: failures.invalidResult(`modified_payload does not parse: ${firstIssue(check.error.issues)}`) };
    }
    result.modified_payload = check.data;
  }
  return { result };
}

function parseJson(hook: string, payload: unknown): unknown {
  if (typeof payload !== 'string') return payload;
  try {
    return JSON.parse(payload);
  } catch (err) {
    throw new PayloadValidationError(hook, [{ path: [], message: `not valid JSON: ${(err as Error).message}` }]);
  }
}
