import type { JsonObject, PluginContext, PluginViolation } from '../core/schemas.js';

/** What a hook function may return; nothing means "continue, no change". */
export type HookReturn = {
  continue_processing?: boolean;
  modified_payload?: JsonObject | null;
  violation?: Omit<PluginViolation, 'plugin_name'> | null;
  metadata?: JsonObject;
} | void | undefined;

export type HookFunction = (payload: any, context: PluginContext) => HookReturn | Promise<HookReturn>;

export type PluginHooks = { [hook: string]: HookFunction | undefined } & { shutdown?: () => unknown };

/** A plugin module's default export: a hooks object, or a function of the plugin's config that returns one. */
export type PluginModule<C = JsonObject> = PluginHooks | ((config: C) => PluginHooks | Promise<PluginHooks>);

/** Returns its argument; only adds types. */
export function definePlugin<C = JsonObject, T extends PluginModule<C> = PluginModule<C>>(plugin: T): T {
  return plugin;
}
