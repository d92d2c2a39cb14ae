import { randomUUID } from 'node:crypto';
import type { TracerProvider } from '@opentelemetry/api';
import type { ConfigInput, PluginEntry, ResolvedConfig } from './config.js';
import { loadConfig } from './config-loader.js';
import { ISOLATION_LEVELS, type Isolation } from '../core/isolation.js';
import { NO_CATALOGUE, type PluginCatalogue } from './kinds.js';
import { ConfigError, PluginError, toLoadError, type ConfigIssue } from '../core/errors.js';
import { safeText, type Failure, type FailureError } from '../core/failures.js';
import { compileForSandbox } from './sandbox-source.js';
import { knownHookNames } from '../core/hook-names.js';
import { Executor, type ExecutorDeps, type HookInvocation, type InvokeOptions } from './executor.js';
import type { RemotePlugin } from './external-runner.js';
import { connectExternals, retryExternal } from './external-plugins.js';
import { quietLogger, tracerFrom, type Logger } from './observability.js';
import type { PolicySettings } from '../core/policies.js';
import type { RunnableMode } from '../core/modes.js';
import { PluginRegistry, type RegisteredPlugin } from './registry.js';
import type { Runner } from './runners.js';
import { RUNNERS } from './runner-kinds.js';
import type { Store } from './store.js';
import { StoreServer } from './store-channel.js';
import { StoreGate } from './store-gate.js';
import { openStore } from './store-config.js';
import type { GlobalContextInput, PluginResult } from '../core/schemas.js';
import type { HookPayloadInput, HookResultPayload } from '../core/hook-types.js';
import { invokeSingle, type SingleOptions } from './invoke-plugin.js';
import type { PluginDefinition, PoolData } from '../core/protocol.js';

export interface ManagerOptions {
  /** overrides plugin_settings.plugin_timeout, in milliseconds */
  timeoutMs?: number;
  /** hook -> writable fields; replaces the defaults for those hooks */
  hookPolicies?: Record<string, string[]>;
  /** for hooks with no policy; default: plugin_settings.default_hook_policy, itself 'deny' by default */
  defaultHookPolicy?: 'allow' | 'deny';
  tracerProvider?: TracerProvider;
  logger?: Logger;
  /**
   * the shared store plugins count in (e.g. a rate limiter), any Store implementation; it replaces
   * plugin_settings.store, and the caller closes it. By default the one plugin_settings.store describes, which the
   * manager opens at initialize() and closes at shutdown() (in memory unless configured).
   */
  store?: Store;
  /** plugins known by name (kinds that are not paths); the package entry hands in the bundled ones */
  catalogue?: PluginCatalogue;
}

const SHUTDOWN_DRAIN_MS = 5000;

type State = { kind: 'new' } | { kind: 'starting'; ready: Promise<void> } | { kind: 'closed' } | {
  kind: 'ready'; deps: ExecutorDeps; executor: Executor; runners: Runner[]; storeServer: StoreServer | undefined; ownStore: Store | undefined;
  /** external plugins whose server was unavailable at initialize(), retried by enablePlugin() */
  unavailable: Map<string, { plugin: RegisteredPlugin; remote: RemotePlugin }>;
};

export class PluginManager {
  private state: State = { kind: 'new' };
  private readonly logger: Logger;

  constructor(private readonly source: string | ConfigInput, private readonly options: ManagerOptions = {}) {
    this.logger = options.logger ?? quietLogger;
  }

  get initialized(): boolean {
    return this.state.kind === 'ready';
  }

  get pluginCount(): number {
    return this.state.kind === 'ready' ? this.state.deps.registry.size : 0;
  }

  /** Loads every enabled plugin and starts the pools; a plugin that fails to load fails it, leaving nothing running. */
  async initialize(): Promise<void> {
    if (this.state.kind === 'ready') return;
    if (this.state.kind === 'starting') return this.state.ready;
    if (this.state.kind === 'closed') throw new Error('PluginManager has been shut down; create a new one');
    const ready = this.start();
    this.state = { kind: 'starting', ready };
    try {
      await ready;
    } catch (err) {
      this.state = { kind: 'new' };
      throw err;
    }
  }

  private async start(): Promise<void> {
    const loaded = await loadConfig(this.source, this.options.catalogue ?? NO_CATALOGUE);
    const { settings } = loaded;
    const externals = await connectExternals(loaded.plugins, this.logger);
    const config = { ...loaded, plugins: externals.entries };
    const timeoutMs = this.options.timeoutMs ?? settings.plugin_timeout * 1000;
    const policy: PolicySettings = {
      hookPolicies: this.options.hookPolicies ?? {},
      defaultHookPolicy: this.options.defaultHookPolicy ?? settings.default_hook_policy,
      maxPayloadBytes: settings.max_payload_bytes,
      maxResultBytes: settings.max_result_bytes,
    };
    const enabled = config.plugins.map((entry, index) => ({ entry, index })).filter(({ entry }) => entry.mode !== 'disabled');
    const plugins = enabled.map(({ entry }) => ({ entry, def: definitionOf(entry, entry.timeout ? entry.timeout * 1000 : timeoutMs) }));
    // Every plugin that cannot load is reported in one error: all those that fail to compile (before any worker
    // starts, so a broken file costs no pool), else all those that fail to load in their workers.
    const failures: LoadFailure[] = [];
    const runners = new Map<Isolation, Runner>();
    let ownStore: Store | undefined;
    let storeServer: StoreServer | undefined;
    // from here on a failure closes what was opened (external sessions included): a failed initialize() leaves nothing
    try {
      await compileSandboxed(plugins, failures);
      if (failures.length) throw loadError(failures, plugins.map((p) => p.entry.name));
      ownStore = this.options.store ? undefined : await openStore(settings.store, this.logger);
      const store = this.options.store ?? ownStore!;
      const levels = [...new Set(plugins.map((p) => p.entry.isolation))];
      // every plugin reaches the store through the gate (identity, namespace, quota); workers and processes over a
      // channel the host answers on, bound to their pool's plugins; inline plugins call the gate directly
      const gate = new StoreGate(store);
      storeServer = levels.some((level) => ISOLATION_LEVELS[level].store !== 'host') ? new StoreServer(gate, this.logger) : undefined;
      const server = storeServer;
      for (const isolation of levels) {
        const level = ISOLATION_LEVELS[isolation];
        const defs = plugins.filter((p) => p.entry.isolation === isolation).map((p) => p.def);
        const names = new Set(defs.map((d) => d.name));
        const data: PoolData = {
          plugins: defs, policy, failOnPluginError: settings.fail_on_plugin_error,
          storeChannel: level.store === 'channel' ? server!.openChannel([...names]) : '',
        };
        const answerStore = (request: unknown) => server?.answer(names, request) ?? Promise.resolve(undefined);
        runners.set(isolation, RUNNERS[level.runner](data, { level, settings, logger: this.logger, store: gate, answerStore, remotes: externals.remotes }));
      }
      const implemented = await loadAll(plugins, runners, failures);
      if (failures.length) throw loadError(failures, plugins.map((p) => p.entry.name));
      const registered = plugins.map(({ entry, def }): RegisteredPlugin => ({
        id: def.id, name: entry.name, mode: entry.mode as RegisteredPlugin['mode'], onError: entry.on_error, priority: entry.priority,
        timeoutMs: def.timeoutMs, entry,
        implemented: implemented.get(def.id)!,
      }));
      checkHooks(enabled, implemented, plugins.map((p) => p.def.id), config);
      const registry = new PluginRegistry(registered);
      const unavailable = new Map(externals.unavailable.map((name) => {
        registry.disable(name);
        return [name, { plugin: registry.get(name)!, remote: externals.remotes.get(name)! }];
      }));
      const deps: ExecutorDeps = {
        registry,
        knownHooks: knownHookNames(config.plugins.map((p) => p.hooks)),
        runnerFor: (plugin) => runners.get(plugin.entry.isolation)!,
        policy,
        failOnPluginError: settings.fail_on_plugin_error,
        logger: this.logger,
        tracer: tracerFrom(this.options.tracerProvider),
      };
      this.state = { kind: 'ready', deps, executor: new Executor(deps), runners: [...runners.values()], storeServer, ownStore, unavailable };
    } catch (err) {
      await Promise.allSettled([...runners.values()].map((r) => r.close()));
      await Promise.allSettled([...new Set([...externals.remotes.values()].map((r) => r.session))].map((s) => s.close()));
      storeServer?.close();
      await ownStore?.close?.().catch(() => {});
      throw err;
    }
  }

  /**
   * Runs a hook's chain. Typed by hook: a built-in hook's payload and `modified_payload` have the types of its zod
   * schema (hook-types.ts); the payload is still parsed at run time, whatever the caller's types said.
   */
  async invokeHook<H extends string>(hook: H, payload: HookPayloadInput<H>, globalContext: GlobalContextInput,
    options?: InvokeOptions): Promise<HookInvocation<HookResultPayload<H>>> {
    return this.ready().executor.invokeHook(hook, payload, globalContext, options) as Promise<HookInvocation<HookResultPayload<H>>>;
  }

  /** One plugin alone (see single.ts); `payload` may be JSON text with `payloadAsJson`. */
  async invokeHookForPlugin<H extends string>(name: string, hook: H, payload: unknown, context: unknown, options?: SingleOptions): Promise<PluginResult<HookResultPayload<H>>> {
    return invokeSingle(this.ready().deps, name, hook, payload, context, options) as Promise<PluginResult<HookResultPayload<H>>>;
  }

  hasHooksFor(hook: string): boolean {
    return this.state.kind === 'ready' && this.state.deps.registry.forHook(hook).length > 0;
  }

  /** The configured entry of an enabled plugin; undefined when unknown or disabled. */
  getPlugin(name: string): PluginEntry | undefined {
    return this.state.kind === 'ready' ? this.state.deps.registry.get(name)?.entry : undefined;
  }

  /** Plugins taken out of the chain by `on_error: disable` after a failure. */
  get disabledPlugins(): string[] {
    return this.state.kind === 'ready' ? this.state.deps.registry.disabled : [];
  }

  /**
   * Puts a plugin that `on_error: disable` took out back into the chain; false if it was not disabled. An external
   * plugin whose server was unavailable at initialize() is tried again first: rejects if it still is.
   */
  async enablePlugin(name: string): Promise<boolean> {
    if (this.state.kind !== 'ready') return false;
    const { deps, unavailable } = this.state;
    const waiting = unavailable.get(name);
    if (waiting) {
      const entry = await retryExternal(waiting.plugin.entry, waiting.remote);
      unavailable.delete(name);
      deps.registry.replace({ ...waiting.plugin, mode: entry.mode as RunnableMode, onError: entry.on_error, priority: entry.priority, entry, implemented: waiting.remote.hooks });
    }
    return deps.registry.enable(name);
  }

  /**
   * Waits (at most SHUTDOWN_DRAIN_MS) for fire-and-forget runs, calls each plugin's shutdown, stops the pools and
   * leaves no worker, timer or handle behind.
   */
  async shutdown(): Promise<void> {
    if (this.state.kind === 'starting') await this.state.ready.catch(() => {});
    if (this.state.kind !== 'ready') {
      this.state = { kind: 'closed' };
      return;
    }
    const { runners, storeServer, executor, ownStore } = this.state;
    this.state = { kind: 'closed' };
    await executor.drain(SHUTDOWN_DRAIN_MS);
    const problems = (await Promise.all(runners.map((r) => r.shutdownPlugins()))).flat();
    for (const problem of problems) this.logger.warn(`plugin shutdown: ${safeText(problem)}`);
    await Promise.all(runners.map((r) => r.close()));
    storeServer?.close();
    await ownStore?.close?.().catch((err: unknown) => this.logger.warn(`store: closing failed: ${safeText(String(err))}`));
  }

  private ready(): Extract<State, { kind: 'ready' }> {
    if (this.state.kind === 'ready') return this.state;
    throw new Error(this.state.kind === 'closed' ? 'PluginManager has been shut down' : 'PluginManager is not initialized: call initialize() first');
  }
}

function definitionOf(entry: ResolvedConfig['plugins'][number], timeoutMs: number): PluginDefinition {
  const envValues: Record<string, string> = {};
  for (const name of entry.capabilities.env) {
    const value = process.env[name];
    if (value !== undefined) envValues[name] = value;
  }
  return {
    id: randomUUID(), name: entry.name, modulePath: entry.modulePath, isolation: entry.isolation, config: entry.config,
    capabilities: entry.capabilities, envValues, timeoutMs, mode: entry.mode as RunnableMode, onError: entry.on_error,
  };
}

type LoadFailure = { name: string; failure: Failure };

/** Plugins of a level that runs them in Compartments have their modules compiled here, once, before any pool starts. */
async function compileSandboxed(plugins: Array<{ entry: PluginEntry; def: PluginDefinition }>, failures: LoadFailure[]): Promise<void> {
  await Promise.all(plugins.filter((p) => ISOLATION_LEVELS[p.entry.isolation].compartment).map(async ({ entry, def }) => {
    try {
      def.compiled = await compileForSandbox(entry.name, def.modulePath);
    } catch (err) {
      failures.push({ name: entry.name, failure: (err as FailureError).failure });
    }
  }));
}

async function loadAll(plugins: Array<{ entry: PluginEntry; def: PluginDefinition }>, runners: Map<Isolation, Runner>,
  failures: LoadFailure[]): Promise<Map<string, string[]>> {
  const implemented = new Map<string, string[]>();
  await Promise.all([...runners].map(async ([isolation, runner]) => {
    const ids = plugins.filter((p) => p.entry.isolation === isolation).map((p) => p.def.id);
    for (const reply of await runner.load(ids)) {
      if ('failure' in reply) failures.push({ name: plugins.find((p) => p.def.id === reply.id)?.entry.name ?? reply.id, failure: reply.failure });
      else implemented.set(reply.id, reply.hooks);
    }
  }));
  return implemented;
}

/** One error for every plugin that failed to load, in config order; it is charged to the first of them. */
function loadError(failures: LoadFailure[], order: string[]): PluginError {
  const sorted = [...failures].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const errors = sorted.map(({ name, failure }) => toLoadError(name, failure));
  if (errors.length === 1) return errors[0]!;
  return new PluginError({
    message: errors.map((e) => e.message).join('; '),
    plugin_name: errors[0]!.error.plugin_name, code: errors[0]!.error.code,
    details: { failures: sorted.map(({ name, failure }) => ({ plugin_name: name, code: failure.code, message: failure.message })) },
  });
}

function checkHooks(enabled: Array<{ entry: PluginEntry; index: number }>, implemented: Map<string, string[]>, ids: string[], config: ResolvedConfig): void {
  const issues: ConfigIssue[] = [];
  enabled.forEach(({ entry, index }, k) => {
    const hooks = implemented.get(ids[k]!) ?? [];
    entry.hooks.forEach((hook, j) => {
      if (!hooks.includes(hook)) issues.push({ path: ['plugins', index, 'hooks', j], message: `plugin ${entry.name} does not implement ${hook}` });
    });
  });
  if (issues.length) throw new ConfigError(issues, config.source);
}
