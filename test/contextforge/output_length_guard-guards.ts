import type { PluginManager } from '../../src/bundled.js';
import { ctx } from './harness.js';

/**
 * What the output_length_guard parity files share: one manager holding a guard per ContextForge config (each guard
 * invoked alone by name, so many configs cost one start-up), and what a guard hands on.
 */

const KIND = 'plugins.output_length_guard.output_length_guard.OutputLengthGuardPlugin';

/** The plugins YAML of guards named by their configs, each written in YAML flow style as ContextForge writes it. */
export function guardsYaml(configs: Record<string, string>): string {
  return `plugins:\n${Object.entries(configs)
    .map(([name, config]) => `  - name: "${name}"\n    kind: "${KIND}"\n    hooks: ["tool_post_invoke"]\n    mode: "enforce"\n    config: ${config}\n`)
    .join('')}`;
}

/** The guard's result on a tool result. */
export const post = (manager: PluginManager, guard: string, result: unknown) =>
  manager.invokeHookForPlugin(guard, 'tool_post_invoke', { name: 'echo', result }, ctx);

/** The tool result the guard hands on: its rewrite, or the result as it was. */
export async function passed(manager: PluginManager, guard: string, result: unknown): Promise<unknown> {
  const { modified_payload } = await post(manager, guard, result);
  return modified_payload ? (modified_payload as { result: unknown }).result : result;
}
