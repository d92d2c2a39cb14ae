import type { Context, Tracer } from '@opentelemetry/api';
import { otel } from './cjs-deps.js';
import { admitGlobalContext, admitPayload } from './admission.js';
import { stepChain, type ChainView, type Step } from '../core/fold.js';
import { PluginViolationError, toPluginError, UnknownHookError } from '../core/errors.js';
import { safeText, toFailure } from '../core/failures.js';
import { closestName } from '../core/hook-names.js';
import { hookSpec, type HookSpec } from '../core/hooks.js';
import { modeRules, type Phase } from '../core/modes.js';
import { endSpan, type Logger } from './observability.js';
import { LOG_LINE_MAX, logConsole, parseOutcome } from './outcomes.js';
import { policyFor, type PolicySettings } from '../core/policies.js';
import type { PluginRegistry, RegisteredPlugin } from './registry.js';
import type { Runner, Segment } from './runners.js';
import type { GlobalContext, JsonObject, PluginContextTable, PluginResult, PluginViolation } from '../core/schemas.js';
import type { Outcome } from '../core/protocol.js';

export interface InvokeOptions {
  localContexts?: PluginContextTable | null;
  violationsAsExceptions?: boolean;
}

export interface HookInvocation<P = unknown> {
  result: PluginResult<P>;
  contexts: PluginContextTable | null;
}

export interface ExecutorDeps {
  registry: PluginRegistry;
  /** the hook names an invocation may use (hook-names.ts) */
  knownHooks: ReadonlySet<string>;
  runnerFor(plugin: RegisteredPlugin): Runner;
  policy: PolicySettings;
  failOnPluginError: boolean;
  logger: Logger;
  tracer: Tracer;
}

export const passResult = (): PluginResult => ({ continue_processing: true, modified_payload: null, violation: null, metadata: {} });

/** One invocation in flight: what every phase reads and folds into. */
interface Invocation {
  view: ChainView;
  global: GlobalContext;
  contexts: PluginContextTable;
  locals: PluginContextTable | null | undefined;
  /** the hook span's context; null when no tracer records, so plugin spans are not even built */
  trace: Context | null;
}

type Blocked = { plugin: RegisteredPlugin; violation: PluginViolation | null };

/**
 * Runs one hook invocation: chooses the plugins, then runs them phase by phase (serial, audit, concurrent, then
 * fire-and-forget), each phase one named strategy. Every outcome is parsed and folded on the host by the shared
 * chain step, whatever ran it.
 */
export class Executor {
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly deps: ExecutorDeps) {}

  async invokeHook(hookName: string, payload: unknown, globalContext: unknown, options: InvokeOptions = {}): Promise<HookInvocation> {
    const { registry, tracer, knownHooks } = this.deps;
    if (!knownHooks.has(hookName)) throw new UnknownHookError(hookName, closestName(hookName, knownHooks));
    if (registry.forHook(hookName).length === 0) return { result: passResult(), contexts: null };
    const hook = hookSpec(hookName);
    const current = admitPayload(hook, payload, this.deps.policy.maxPayloadBytes);
    const global = admitGlobalContext(hookName, globalContext);
    const plugins = registry.matching(hook, current, global);
    const contexts = contextTable();
    if (plugins.length === 0) return { result: passResult(), contexts };
    const span = tracer.startSpan(`cordon.hook.${hookName}`, { attributes: { 'hook.type': hookName, 'plugin.count': plugins.length, 'request.id': global.request_id } });
    const inv: Invocation = {
      view: {
        hook, policy: policyFor(hook, this.deps.policy), settings: this.deps.policy, failOnPluginError: this.deps.failOnPluginError,
        payload: current, modified: false, metadata: {}, global, decisionPlugin: null,
      },
      global, contexts, locals: options.localContexts, trace: span.isRecording() ? otel.trace.setSpan(otel.context.active(), span) : null,
    };
    try {
      const phases = this.byPhase(plugins);
      let blocked = await this.runSerial(inv, phases.serial);
      if (!blocked) {
        await this.runAudit(inv, phases.audit);
        blocked = await this.runConcurrent(inv, phases.concurrent);
      }
      this.startFireAndForget(inv, phases.fire_and_forget);
      endSpan(span);
      if (!blocked) return { result: { continue_processing: true, modified_payload: modifiedPayload(inv.view), violation: null, metadata: finalMetadata(inv.view) }, contexts };
      if (options.violationsAsExceptions) throw violationError(hook.name, blocked.plugin.name, blocked.violation);
      return { result: { continue_processing: false, modified_payload: modifiedPayload(inv.view), violation: blocked.violation, metadata: finalMetadata(inv.view) }, contexts };
    } catch (err) {
      endSpan(span, (err as Error).message);
      throw err;
    }
  }

  /** Waits (bounded) for fire-and-forget runs still going, so shutdown does not cut them off needlessly. */
  async drain(maxMs: number): Promise<void> {
    if (this.background.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(this.background), new Promise((r) => (timer = setTimeout(r, maxMs)))]);
    clearTimeout(timer);
  }

  private byPhase(plugins: RegisteredPlugin[]): Record<Phase, RegisteredPlugin[]> {
    const phases: Record<Phase, RegisteredPlugin[]> = { serial: [], audit: [], concurrent: [], fire_and_forget: [] };
    for (const p of plugins) phases[modeRules(p.mode, p.onError, false).phase].push(p);
    return phases;
  }

  /**
   * Sequential and transform plugins, by priority: consecutive plugins on one runner go as one segment (one thread
   * hop), and the worker folds them with the same chain step, so each sees the payload merged so far.
   */
  private async runSerial(inv: Invocation, plugins: RegisteredPlugin[]): Promise<Blocked | null> {
    for (let next = 0; next < plugins.length;) {
      let to = next + 1;
      const runner = this.deps.runnerFor(plugins[next]!);
      while (runner.batches && to < plugins.length && this.deps.runnerFor(plugins[to]!) === runner) to++;
      const run = plugins.slice(next, to);
      const raw = await runner.run(this.segment(inv, run));
      const count = Math.max(1, Math.min(raw.length, run.length));
      for (let k = 0; k < count; k++) {
        const blocked = this.fold(inv, run[k]!, parseOutcome(raw[k]));
        if (blocked) return blocked;
      }
      next += count;
    }
    return null;
  }

  /** Audit plugins see the payload as it now stands; they cannot change or stop anything (the mode table says so). */
  private async runAudit(inv: Invocation, plugins: RegisteredPlugin[]): Promise<void> {
    await this.runSerial(inv, plugins);
  }

  /**
   * Concurrent plugins all start at once, on different workers, and see the same payload. The first block or
   * failing error cancels the rest (their workers are stopped); outcomes are then folded by priority.
   */
  private async runConcurrent(inv: Invocation, plugins: RegisteredPlugin[]): Promise<Blocked | null> {
    if (plugins.length === 0) return null;
    const cancel = new AbortController();
    const outcomes = await Promise.all(plugins.map(async (plugin) => {
      const outcome = parseOutcome((await this.deps.runnerFor(plugin).run({ ...this.segment(inv, [plugin]), signal: cancel.signal }))[0]);
      if (decides(plugin, outcome, this.deps.failOnPluginError)) cancel.abort();
      return outcome;
    }));
    for (let k = 0; k < plugins.length; k++) {
      const outcome = outcomes[k]!;
      if (!outcome.ok && outcome.failure.code === 'CANCELLED') continue;
      const blocked = this.fold(inv, plugins[k]!, outcome);
      if (blocked) return blocked;
    }
    return null;
  }

  /** Started once the result is decided and never awaited by the caller; failures are only logged. */
  private startFireAndForget(inv: Invocation, plugins: RegisteredPlugin[]): void {
    for (const plugin of plugins) {
      const run = this.deps.runnerFor(plugin).run(this.segment(inv, [plugin])).then(
        (raw) => {
          const outcome = parseOutcome(raw[0]);
          logConsole(this.deps.logger, plugin.name, outcome);
          if (!outcome.ok) this.deps.logger.warn(`fire-and-forget plugin ${plugin.name} failed on ${inv.view.hook.name}: ${safeText(outcome.failure.message)}`);
        },
        (err: unknown) => this.deps.logger.error(`fire-and-forget plugin ${plugin.name}: ${toFailure(err).message}`),
      );
      this.background.add(run);
      void run.finally(() => this.background.delete(run));
    }
  }

  /** Folds one outcome: records the plugin's context and span, applies the mode's rules; a fail throws. */
  private fold(inv: Invocation, plugin: RegisteredPlugin, outcome: Outcome): Blocked | null {
    const before = inv.view.payload;
    const key = contextKey(inv.global, plugin);
    const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => this.deps.logger[level](safeText(message, LOG_LINE_MAX));
    const step: Step = stepChain(inv.view, plugin, outcome, log, inv.locals?.[key]);
    // a failed plugin's local context stays as it was handed in: nothing of an invalid result is kept
    const failed = step.kind === 'fail' || (step.kind === 'continue' && step.result === null);
    const local = (!failed && outcome.ok && outcome.local) || { state: inv.locals?.[key]?.state ?? {}, metadata: inv.locals?.[key]?.metadata ?? {} };
    inv.contexts[key] = { state: local.state, metadata: local.metadata, global_context: inv.global };
    logConsole(this.deps.logger, plugin.name, outcome);
    this.pluginSpan(inv, plugin, outcome, step.kind === 'block', inv.view.payload !== before);
    if (step.kind === 'fail') throw toPluginError(plugin.name, inv.view.hook.name, step.failure);
    if (step.kind === 'block') return { plugin, violation: step.violation };
    if (step.disable) {
      this.deps.registry.disable(plugin.name);
      this.deps.logger.warn(`plugin ${plugin.name} disabled after its failure (on_error: disable)`);
    }
    return null;
  }

  private segment(inv: Invocation, run: RegisteredPlugin[]): Segment {
    return {
      hook: inv.view.hook.name,
      payload: inv.view.payload,
      global: inv.global,
      plugins: run.map((p) => {
        const local = inv.locals?.[contextKey(inv.global, p)];
        return local ? { id: p.id, local: { state: local.state ?? {}, metadata: local.metadata ?? {} } } : { id: p.id };
      }),
      timeoutsMs: run.map((p) => p.timeoutMs),
    };
  }

  private pluginSpan(inv: Invocation, plugin: RegisteredPlugin, outcome: Outcome, violated: boolean, modified: boolean): void {
    if (!inv.trace) return;
    const end = Date.now();
    const span = this.deps.tracer.startSpan(`plugin.execute.${plugin.name}`, {
      startTime: end - outcome.ms,
      attributes: { 'plugin.name': plugin.name, 'plugin.mode': plugin.mode, 'plugin.priority': plugin.priority, 'plugin.timeout': plugin.timeoutMs / 1000 },
    }, inv.trace);
    span.setAttributes({ 'plugin.had_violation': violated, 'plugin.modified_payload': modified });
    endSpan(span, outcome.ok ? undefined : outcome.failure.message, end);
  }
}

/** Whether a concurrent plugin's outcome settles the phase (a block, or a failure that raises). */
function decides(plugin: RegisteredPlugin, outcome: Outcome, failOnPluginError: boolean): boolean {
  const rules = modeRules(plugin.mode, plugin.onError, failOnPluginError);
  if (!outcome.ok) return rules.onError === 'fail' && outcome.failure.code !== 'CANCELLED';
  return rules.mayBlock && (outcome.result as { continue_processing?: unknown } | null)?.continue_processing === false;
}

/**
 * The table of local contexts, keyed by request id and plugin id (as ContextForge keys it). Its keys are new on every
 * call, and an ordinary object literal would get a hidden class per new key: ~2 µs a plugin on the host, the largest
 * host-side cost of a no-op chain (profiled). An object made from a null prototype starts in V8's dictionary mode and
 * stays there when it is given Object.prototype back, so callers still get an ordinary object.
 */
function contextTable(): PluginContextTable {
  return Object.setPrototypeOf(Object.create(null), Object.prototype) as PluginContextTable;
}

function contextKey(global: GlobalContext, plugin: RegisteredPlugin): string {
  return `${global.request_id}${plugin.id}`;
}

/** The error for a block; the violation's text is the plugin's, so it is cut and its control characters escaped. */
export function violationError(hook: string, pluginName: string, v: PluginViolation | null): PluginViolationError {
  const what = v ? `${safeText(v.code, 200)} - ${safeText(v.reason)} (${safeText(v.description)})` : 'no violation given';
  return new PluginViolationError(`${hook} blocked by plugin ${pluginName}: ${what}`, v);
}

function modifiedPayload(view: ChainView): JsonObject | null {
  return view.modified ? view.payload : null;
}

function finalMetadata(view: ChainView): JsonObject {
  if (view.hook.name === 'http_auth_check_permission' && view.decisionPlugin) {
    return { ...view.metadata, _decision_plugin: view.decisionPlugin };
  }
  return view.metadata;
}
