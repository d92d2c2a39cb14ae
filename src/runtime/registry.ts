import type { PluginEntry } from './config.js';
import { conditionsMatch } from './conditions.js';
import type { HookSpec } from '../core/hooks.js';
import type { OnError, RunnableMode } from '../core/modes.js';
import type { GlobalContext, JsonObject } from '../core/schemas.js';

export interface RegisteredPlugin {
  id: string;
  name: string;
  mode: RunnableMode;
  onError: OnError | undefined;
  priority: number;
  timeoutMs: number;
  entry: PluginEntry;
  /** hooks the loaded module implements (a superset of the configured ones) */
  implemented: string[];
}

/** The enabled plugins, and for each hook the ones registered for it in run order (priority, then config order). */
export class PluginRegistry {
  private readonly byName = new Map<string, RegisteredPlugin>();
  private readonly byHook = new Map<string, RegisteredPlugin[]>();
  /** plugins taken out of the chain by their `on_error: disable` after a failure */
  private readonly tripped = new Set<string>();

  constructor(private plugins: RegisteredPlugin[]) {
    this.index();
  }

  private index(): void {
    this.byName.clear();
    this.byHook.clear();
    for (const plugin of this.plugins) {
      this.byName.set(plugin.name, plugin);
      for (const hook of plugin.entry.hooks) {
        const list = this.byHook.get(hook) ?? [];
        list.push(plugin);
        this.byHook.set(hook, list);
      }
    }
    // Array.prototype.sort is stable, so equal priorities keep config order
    for (const list of this.byHook.values()) list.sort((a, b) => a.priority - b.priority);
  }

  /** Replaces a plugin by name, keeping its place in config order (an external plugin once its server answers). */
  replace(plugin: RegisteredPlugin): void {
    this.plugins = this.plugins.map((p) => (p.name === plugin.name ? plugin : p));
    this.index();
  }

  get size(): number {
    return this.byName.size;
  }

  get(name: string): RegisteredPlugin | undefined {
    return this.byName.get(name);
  }

  forHook(hook: string): readonly RegisteredPlugin[] {
    const list = this.byHook.get(hook) ?? [];
    return this.tripped.size === 0 ? list : list.filter((p) => !this.tripped.has(p.name));
  }

  disable(name: string): void {
    this.tripped.add(name);
  }

  /** Puts a plugin disabled after a failure back into the chain; false if it was not disabled. */
  enable(name: string): boolean {
    return this.tripped.delete(name);
  }

  get disabled(): string[] {
    return [...this.tripped];
  }

  matching(hook: HookSpec, payload: JsonObject, global: GlobalContext): RegisteredPlugin[] {
    return this.forHook(hook.name).filter((p) => conditionsMatch(p.entry.conditions, hook, payload, global));
  }
}
