import { pathToFileURL } from 'node:url';
import { FailureError, toFailure } from '../runtime/errors.js';
import type { PluginDefinition } from './protocol.js';
import type { StoreCapability } from './store-client.js';

/** What a plugin's factory receives as its second argument. */
export interface PluginGrants {
  store?: StoreCapability;
}

/** A plugin's hooks object as the chain runner calls it. */
export interface LoadedPlugin {
  hooks: string[];
  call(hook: string, payload: unknown, context: unknown): unknown;
  shutdown(): Promise<void>;
}

const cache = new Map<string, Promise<LoadedPlugin>>();

/** Loads each plugin once per thread; a failed load is remembered, so every task reports the same error. */
export function loadPlugin(def: PluginDefinition, grants: PluginGrants): Promise<LoadedPlugin> {
  let loaded = cache.get(def.id);
  if (!loaded) {
    loaded = importPlugin(def, grants);
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
    throw new FailureError({ ...toFailure(err, 'LOAD_FAILED'), message: `cannot load ${def.modulePath}: ${(err as Error)?.message ?? err}` });
  }
  return instantiate(def, exported, grants);
}

/**
 * The default export is a hooks object or a function of the plugin's config returning one (sync or async); the
 * function's second argument holds the capabilities the runtime grants beyond plain JavaScript (the store).
 */
export async function instantiate(def: Pick<PluginDefinition, 'name' | 'config'>, exported: unknown, grants: PluginGrants): Promise<LoadedPlugin> {
  let instance: unknown;
  try {
    instance = typeof exported === 'function' ? await exported(def.config, grants) : exported;
  } catch (err) {
    throw new FailureError({ ...toFailure(err, 'LOAD_FAILED'), message: `plugin ${def.name} failed to start: ${(err as Error)?.message ?? err}` });
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
