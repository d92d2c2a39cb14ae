import { pathToFileURL } from 'node:url';
import { FailureError, failures, toFailure } from './failures.js';
import type { PluginDefinition } from './protocol.js';
import type { StoreCapability } from './store-protocol.js';

/** A plugin's hooks object as the chain runner calls it. */
export interface LoadedPlugin {
  hooks: string[];
  call(hook: string, payload: unknown, context: unknown): unknown;
  shutdown(): Promise<void>;
}

/** What the runtime hands a plugin beyond plain JavaScript. */
export interface PluginGrants {
  store?: StoreCapability;
}

const cache = new Map<string, Promise<LoadedPlugin>>();

/** What loading may take beyond the plugin's own timeout: the runtime's part (SES, its Compartment) on a busy machine. */
export const LOAD_ALLOWANCE_MS = 2000;
/** How long one plugin's `shutdown()` may take; the runners' own shutdown tasks allow a little more. */
export const SHUTDOWN_PLUGIN_MS = 3000;

/** How long loading a plugin (its module, its factory) may take before it fails. */
export const loadDeadlineMs = (timeoutMs: number): number => timeoutMs + LOAD_ALLOWANCE_MS;

/**
 * Loads each plugin once per thread with the given loader (plain `import()` here, or the sandbox's Compartment
 * loader, as the plugin's isolation level says); a failed load is remembered, so every task reports the same error.
 * A module or factory that never settles fails at its deadline (the plugin's timeout plus LOAD_ALLOWANCE_MS), and a
 * `shutdown()` that never settles is given up on, so neither `initialize()` nor `shutdown()` waits on a plugin.
 */
export function loadPlugin(id: string, timeoutMs: number, load: () => Promise<LoadedPlugin>): Promise<LoadedPlugin> {
  let loaded = cache.get(id);
  if (!loaded) {
    const deadline = loadDeadlineMs(timeoutMs);
    loaded = withDeadline(load(), deadline, () => new FailureError(failures.loadFailed(
      `did not finish loading within ${deadline / 1000} s (its module or factory never settled)`,
    ))).then((plugin) => ({
      ...plugin,
      shutdown: () => withDeadline(plugin.shutdown(), SHUTDOWN_PLUGIN_MS, () => new Error(`shutdown() did not finish within ${SHUTDOWN_PLUGIN_MS / 1000} s`)),
    }));
    cache.set(id, loaded);
  }
  return loaded;
}

function withDeadline<T>(pending: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    // kept referenced: whoever awaits this (initialize(), shutdown()) must get its answer, not a process that quits
    timer = setTimeout(() => reject(error()), ms);
  });
  return Promise.race([pending, expired]).finally(() => clearTimeout(timer));
}

export function forgetPlugin(id: string): void {
  cache.delete(id);
}

/** The plugin's load in this thread, if it was started. */
export const loadedPlugin = (id: string): Promise<LoadedPlugin> | undefined => cache.get(id);

/** Every plugin loaded in this thread, by id. */
export function loadedPlugins(): Iterable<[string, Promise<LoadedPlugin>]> {
  return cache.entries();
}

/** A plugin trusted with a realm of its own (`worker`, `inline`): a plain `import()` of its module. */
export async function importPlugin(def: PluginDefinition, grants: PluginGrants): Promise<LoadedPlugin> {
  let exported: unknown;
  try {
    const module = await import(pathToFileURL(def.modulePath).href);
    exported = module.default;
  } catch (err) {
    throw new FailureError(failures.loadFailed(`cannot load ${def.modulePath}: ${toFailure(err).message}`));
  }
  return instantiate(def, exported, { ...(grants.store ? { store: grants.store } : {}) });
}

/**
 * The default export is a hooks object or a function of the plugin's config returning one (sync or async); the
 * function's second argument holds the capabilities the runtime grants beyond plain JavaScript (the store).
 */
async function instantiate(def: Pick<PluginDefinition, 'name' | 'config'>, exported: unknown, grants: PluginGrants): Promise<LoadedPlugin> {
  let instance: unknown;
  try {
    instance = typeof exported === 'function' ? await exported(def.config, grants) : exported;
  } catch (err) {
    throw new FailureError(failures.loadFailed(`plugin ${def.name} failed to start: ${toFailure(err).message}`));
  }
  if (!instance || typeof instance !== 'object') {
    throw new FailureError(failures.loadFailed(`plugin ${def.name}: the default export must be a hooks object or a function returning one`));
  }
  const target = instance as Record<string, unknown>;
  const hooks = methodNames(target).filter((n) => n !== 'shutdown' && n !== 'constructor');
  return {
    hooks,
    call: (hook, payload, context) => (target[hook] as (p: unknown, c: unknown) => unknown).call(target, payload, context),
    shutdown: async () => {
      if (typeof target.shutdown === 'function') await (target.shutdown as () => unknown)();
    },
  };
}

function methodNames(obj: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = obj; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (typeof (obj as Record<string, unknown>)[key] === 'function') names.add(key);
    }
  }
  return [...names];
}
