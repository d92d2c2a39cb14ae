/** Plugin files written to a temp dir, and config entries for them gated by tool name (one plugin per tool). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';

const dir = tempDir();

export function pluginFile(name: string, text: string): string {
  const path = join(dir, `${name}.js`);
  writeFileSync(path, text);
  return path;
}

/** A `tool_pre_invoke` plugin run only for the tool of its own name. */
export const gatedEntry = (name: string, text: string, extra: Record<string, unknown> = {}) =>
  ({ name, kind: pluginFile(name, text), hooks: ['tool_pre_invoke'], conditions: [{ tools: [name] }], ...extra });

export const asyncHook = (body: string) => `export default { async tool_pre_invoke(payload) {\n${body}\n} };\n`;
