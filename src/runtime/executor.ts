import { context as otelContext, trace, type Span, type Tracer } from '@opentelemetry/api';
import { admitGlobalContext, admitPayload, checkSize } from './admission.js';
import { stepChain, type ChainView } from './chain-step.js';
import { PluginViolationError, toPluginError } from './errors.js';
import { hookSpec, type HookSpec } from './hooks.js';
import { endSpan, type Logger } from './observability.js';
import { parseOutcome } from './outcomes.js';
import { policyFor, type PolicySettings } from './policies.js';
import type { PluginRegistry, RegisteredPlugin } from './registry.js';
import type { Runner, Segment } from './runners.js';
import type { GlobalContext, JsonObject, PluginContextTable, PluginResult, PluginViolation } from './schemas.js';
import type { Outcome } from '../sandbox/protocol.js';

export interface InvokeOptions {
  localContexts?: PluginContextTable | null;
  violationsAsExceptions?: boolean;
}

export interface HookInvocation {
  result: PluginResult;
  contexts: PluginContextTable | null;
}

export interface ExecutorDeps {
  registry: PluginRegistry;
  runnerFor(plugin: RegisteredPlugin): Runner;
  policy: PolicySettings;
  failOnPluginError: boolean;
  logger: Logger;
  tracer: Tracer;
}

export const passResult = (): PluginResult => ({ continue_processing: true, modified_payload: null, violation: null, metadata: {} });

/** Runs one hook invocation: chooses the plugins, dispatches them in segments, folds every outcome on the host. */
export class Executor {
  constructor(private readonly deps: ExecutorDeps) {}

  async invokeHook(hookName: string, payload: unknown, globalContext: unknown, options: InvokeOptions = {}): Promise<HookInvocation> {
    const { registry, tracer } = this.deps;
    if (registry.forHook(hookName).length === 0) return { result: passResult(), contexts: null };
    const hook = hookSpec(hookName);
    const current = admitPayload(hook, payload);
    checkSize(current, this.deps.policy.maxPayloadBytes);
    const global = admitGlobalContext(hookName, globalContext);
    const plugins = registry.matching(hook, current, global);
    const contexts: PluginContextTable = {};
    if (plugins.length === 0) return { result: passResult(), contexts };
    const span = tracer.startSpan(`cordon.hook.${hookName}`, { attributes: { 'hook.type': hookName, 'plugin.count': plugins.length, 'request.id': global.request_id } });
    try {
      const result = await this.runChain(hook, plugins, current, global, contexts, options, span);
      endSpan(span);
      return { result, contexts };
    } catch (err) {
      endSpan(span, (err as Error).message);
      throw err;
    }
  }

  private async runChain(hook: HookSpec, plugins: RegisteredPlugin[], payload: JsonObject, global: GlobalContext,
    contexts: PluginContextTable, options: InvokeOptions, span: Span): Promise<PluginResult> {
    const view: ChainView = {
      hook, policy: policyFor(hook, this.deps.policy), settings: this.deps.policy, failOnPluginError: this.deps.failOnPluginError,
      payload, modified: false, metadata: {}, global, decisionPlugin: null,
    };
    const parent = trace.setSpan(otelContext.active(), span);
    for (let next = 0; next < plugins.length;) {
      const segment = this.segmentAt(plugins, next, view, global, options.localContexts);
      const raw = await this.deps.runnerFor(plugins[next]!).run(segment);
      const count = Math.max(1, Math.min(raw.length, segment.plugins.length));
      for (let k = 0; k < count; k++) {
        const plugin = plugins[next + k]!;
        const outcome = parseOutcome(raw[k]);
        const before = view.payload;
        const step = stepChain(view, plugin, outcome, this.log(plugin));
        contexts[contextKey(global, plugin)] = {
          state: outcome.ok ? outcome.local.state : segment.plugins[k]!.local.state,
          metadata: outcome.ok ? outcome.local.metadata : segment.plugins[k]!.local.metadata,
          global_context: global,
        };
        this.pluginSpan(plugin, outcome, step.kind === 'block', view.payload !== before, parent);
        if (step.kind === 'fail') throw toPluginError(plugin.name, hook.name, step.failure);
        if (step.kind === 'block') return this.blocked(view, plugin, step.violation, options);
      }
      next += count;
    }
    return { continue_processing: true, modified_payload: view.modified ? view.payload : null, violation: null, metadata: finalMetadata(view) };
  }

  /** The longest run of consecutive plugins starting at `from` that share one runner: they cross in one task. */
  private segmentAt(plugins: RegisteredPlugin[], from: number, view: ChainView, global: GlobalContext, locals?: PluginContextTable | null): Segment {
    const runner = this.deps.runnerFor(plugins[from]!);
    let to = from + 1;
    while (to < plugins.length && this.deps.runnerFor(plugins[to]!) === runner) to++;
    const run = plugins.slice(from, to);
    return {
      hook: view.hook.name,
      payload: view.payload,
      global,
      plugins: run.map((p) => {
        const local = locals?.[contextKey(global, p)];
        return { id: p.id, mode: p.mode, local: { state: local?.state ?? {}, metadata: local?.metadata ?? {} } };
      }),
      timeoutsMs: run.map((p) => p.timeoutMs),
    };
  }

  private blocked(view: ChainView, plugin: RegisteredPlugin, violation: PluginViolation | null, options: InvokeOptions): PluginResult {
    if (options.violationsAsExceptions) throw violationError(view.hook.name, plugin.name, violation);
    return { continue_processing: false, modified_payload: view.modified ? view.payload : null, violation, metadata: finalMetadata(view) };
  }

  private log(plugin: RegisteredPlugin) {
    return (level: keyof Logger, message: string) => this.deps.logger[level](message);
  }

  private pluginSpan(plugin: RegisteredPlugin, outcome: Outcome, violated: boolean, modified: boolean, parent: ReturnType<typeof otelContext.active>): void {
    for (const line of outcome.logs ?? []) this.deps.logger[line.level](`[${plugin.name}] ${line.message}`);
    const end = Date.now();
    const span = this.deps.tracer.startSpan(`plugin.execute.${plugin.name}`, {
      startTime: end - outcome.ms,
      attributes: { 'plugin.name': plugin.name, 'plugin.mode': plugin.mode, 'plugin.priority': plugin.priority, 'plugin.timeout': plugin.timeoutMs / 1000 },
    }, parent);
    span.setAttributes({ 'plugin.had_violation': violated, 'plugin.modified_payload': modified });
    endSpan(span, outcome.ok ? undefined : outcome.failure.message, end);
  }
}

export function contextKey(global: GlobalContext, plugin: RegisteredPlugin): string {
  return `${global.request_id}${plugin.id}`;
}

export function violationError(hook: string, pluginName: string, v: PluginViolation | null): PluginViolationError {
  const what = v ? `${v.code} - ${v.reason} (${v.description})` : 'no violation given';
  return new PluginViolationError(`${hook} blocked by plugin ${pluginName}: ${what}`, v);
}

function finalMetadata(view: ChainView): JsonObject {
  if (view.hook.name === 'http_auth_check_permission' && view.decisionPlugin) {
    return { ...view.metadata, _decision_plugin: view.decisionPlugin };
  }
  return view.metadata;
}
