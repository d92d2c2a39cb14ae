import { pathToFileURL } from 'node:url';
import { FailureError, toFailure } from './errors.js';
import type { ConsoleSink } from '../sandbox/compartment.js';
import type { PluginDefinition } from './protocol.js';
import type { StoreCapability } from '../sandbox/store-client.js';

/** A plugin's hooks object as the chain runner calls it. */
export interface LoadedPlugin {
  hooks: string[];
  call(hook: string, payload: unknown, context: unknown): unknown;
  shutdown(): Promise<void>;
}

/** What the runtime hands a plugin beyond plain JavaScript. */
export interface PluginGrants {
  store?: StoreCapability;
  /** where a sandboxed plugin's console goes: called at each console call, so it can follow the invocation */
  sink?: () => ConsoleSink;
}

const cache = new Map<string, Promise<LoadedPlugin>>();

/** Loads each plugin once per thread; a failed load is remembered, so every task reports the same error. */
export function loadPlugin(def: PluginDefinition, grants: PluginGrants): Promise<LoadedPlugin> {
  let loaded = cache.get(def.id);
  if (!loaded) {
    loaded = def.isolation === 'sandbox' || def.compiled !== undefined ? loadSandboxed(def, grants) : importPlugin(def, grants);
    cache.set(def.id, loaded);
  }
  return loaded;
}

export function forgetPlugin(id: string): void {
  cache.delete(id);
}

export function loadedPlugins(): Iterable<Promise<LoadedPlugin>> {
  return cache.values();
}

async function importPlugin(def: PluginDefinition, grants: PluginGrants): Promise<LoadedPlugin> {
  let exported: unknown;
  try {
    const module = await import(pathToFileURL(def.modulePath).href);
    exported = module.default;
  } catch (err) {
    throw new FailureError({ code: 'LOAD_FAILED', message: `cannot load ${def.modulePath}: ${toFailure(err).message}` });
  }
  return instantiate(def, exported, { ...(grants.store ? { store: grants.store } : {}) });
}

/**
 * A sandboxed plugin: evaluated in a Compartment of its own by the boundary, which is only imported here (it
 * installs SES's globals, which neither the host nor a `worker` pool wants). Its store, when granted, is a global.
 */
async function loadSandboxed(def: PluginDefinition, grants: PluginGrants): Promise<LoadedPlugin> {
  try {
    const { loadSandboxedPlugin } = await import('../sandbox/compartment.js');
    const loaded = await loadSandboxedPlugin({
      name: def.name, source: '', specifier: def.modulePath, config: def.config, capabilities: def.capabilities,
      envValues: def.envValues, timeoutMs: def.timeoutMs, ...(def.compiled !== undefined ? { compiled: def.compiled } : {}),
      ...(def.capabilities.store && grants.store ? { hostObjects: { store: grants.store } } : {}),
    }, grants.sink ?? (() => DROP));
    return {
      hooks: Object.keys(loaded.hooks),
      call: (hook, payload, context) => loaded.hooks[hook]!(payload, context),
      shutdown: async () => {
        await loaded.shutdown?.();
      },
    };
  } catch (err) {
    throw new FailureError({ ...toFailure(err), code: 'LOAD_FAILED' });
  }
}

const DROP: ConsoleSink = { write() {} };

/**
 * The default export is a hooks object or a function of the plugin's config returning one (sync or async); the
 * function's second argument holds the capabilities the runtime grants beyond plain JavaScript (the store).
 */
export async function instantiate(def: Pick<PluginDefinition, 'name' | 'config'>, exported: unknown, grants: PluginGrants): Promise<LoadedPlugin> {
  let instance: unknown;
  try {
    instance = typeof exported === 'function' ? await exported(def.config, grants) : exported;
  } catch (err) {
    throw new FailureError({ code: 'LOAD_FAILED', message: `plugin ${def.name} failed to start: ${toFailure(err).message}` });
  }
  if (!instance || typeof instance !== 'object') {
    throw new FailureError({ code: 'LOAD_FAILED', message: `plugin ${def.name}: the default export must be a hooks object or a function returning one` });
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
