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

/**
 * Loads each plugin once per thread with the given loader (plain `import()` here, or the sandbox's Compartment
 * loader, as the plugin's isolation level says); a failed load is remembered, so every task reports the same error.
 */
export function loadPlugin(id: string, load: () => Promise<LoadedPlugin>): Promise<LoadedPlugin> {
  let loaded = cache.get(id);
  if (!loaded) {
    loaded = load();
    cache.set(id, loaded);
  }
  return loaded;
}

export function forgetPlugin(id: string): void {
  cache.delete(id);
}

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
