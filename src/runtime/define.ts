import type { BuiltInHook, HookPayload, HookResultPayload } from '../core/hook-types.js';
import type { JsonObject, PluginContext, PluginViolation } from '../core/schemas.js';
import type { StoreCapability } from '../core/store-protocol.js';

/** What a hook function may return; nothing means "continue, no change". `P` is the hook's modified payload. */
export type HookReturn<P = JsonObject> = {
  continue_processing?: boolean;
  modified_payload?: P | null;
  violation?: Omit<PluginViolation, 'plugin_name'> | null;
  metadata?: JsonObject;
} | void | undefined;

/** A hook function, typed by hook: a built-in hook's payload has its schema's type, a custom hook's is a JSON object. */
export type HookFunction<H extends string = string> =
  (payload: HookPayload<H>, context: PluginContext) => HookReturn<HookResultPayload<H>> | Promise<HookReturn<HookResultPayload<H>>>;

/**
 * A custom hook's function, declared as a method so it is compared bivariantly: the built-in hooks' functions, whose
 * payloads are narrower than a JSON object, then still fit the index signature they share a type with.
 */
type CustomHook = { hook(payload: JsonObject, context: PluginContext): HookReturn | Promise<HookReturn> }['hook'];

/** A hooks object: built-in hooks typed by name, custom hooks as JSON objects, and an optional `shutdown`. */
export type PluginHooks = { [H in BuiltInHook]?: HookFunction<H> } & { shutdown?: () => unknown } & {
  [custom: string]: CustomHook | (() => unknown) | undefined;
};

/** The second argument of a factory: the shared store, for `worker` and `inline` plugins (sandboxed ones get a global). */
export interface PluginGrants {
  store?: StoreCapability;
}

/** A plugin module's default export: a hooks object, or a function of the plugin's config that returns one. */
export type PluginModule<C = JsonObject> = PluginHooks | ((config: C, grants: PluginGrants) => PluginHooks | Promise<PluginHooks>);

/**
 * Returns its argument; only adds types. Hooks are typed by name, and a factory's config type is inferred from
 * its parameter's annotation (or given: `definePlugin<{ blocked: string }>((config) => ...)`).
 */
export function definePlugin<C = JsonObject>(plugin: (config: C, grants: PluginGrants) => PluginHooks | Promise<PluginHooks>): typeof plugin;
export function definePlugin<T extends PluginHooks>(plugin: T): T;
export function definePlugin(plugin: unknown): unknown {
  return plugin;
}
