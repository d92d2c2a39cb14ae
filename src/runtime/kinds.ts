import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { ZodType } from 'zod';
import { zodIssues, type ConfigIssue } from '../core/errors.js';
import type { PluginEntry } from './config.js';

/**
 * Plugins known by name: a kind that is not a path names one of them, whose module is `<dir>/<kind>.js` and whose
 * config is validated (and defaulted) with its schema. The runtime knows none itself; the package entry hands in
 * the bundled plugins (src/bundled.ts).
 */
export interface PluginCatalogue {
  dir: string;
  schemas: Readonly<Record<string, ZodType>>;
  /** other frameworks' plugin class paths that name a plugin of this catalogue (contextforge.ts applies them) */
  classPaths?: Readonly<Record<string, ForeignKind>>;
}

/**
 * A foreign class path (e.g. ContextForge's `plugins.deny_filter.deny.DenyListPlugin`) standing for a plugin of the
 * catalogue: `translate` turns the foreign plugin's config into this plugin's, or says, one line per key, what has
 * no equivalent.
 */
export interface ForeignKind {
  kind: string;
  /** entry keys the plugin needs, used where the entry does not set them (e.g. a capability) */
  entry?: Record<string, unknown>;
  translate(config: Record<string, unknown>): { config: Record<string, unknown>; issues: Array<{ key: string; message: string }> };
  /** the foreign key a translated key was written as, so an error names what the file says (`rules` -> `words`) */
  writtenAs?: Readonly<Record<string, string>>;
}

export const NO_CATALOGUE: PluginCatalogue = { dir: '', schemas: {} };

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * Turns each entry's `kind` into an absolute module path: a `./` or `../` kind is looked up beside the config
 * file, then in each plugin dir; an absolute path is taken as it is; any other kind names a plugin of the
 * catalogue, whose config is then validated (and defaulted) with its schema.
 */
export async function resolveKinds(entries: PluginEntry[], baseDir: string, pluginDirs: string[], issues: ConfigIssue[],
  catalogue: PluginCatalogue) {
  return Promise.all(entries.map(async (entry, i) => {
    // a disabled plugin is never loaded, so its module need not even exist
    if (entry.mode === 'disabled') return { ...entry, modulePath: '', bundled: false };
    // an external plugin's code is on its server; a STDIO server's script resolves beside the config
    if (entry.external) return { ...entry, external: { ...entry.external, baseDir }, modulePath: '', bundled: false };
    const { kind } = entry;
    if (kind.startsWith('./') || kind.startsWith('../') || isAbsolute(kind)) {
      const candidates = isAbsolute(kind) ? [kind] : [baseDir, ...pluginDirs].map((dir) => resolve(dir, kind));
      for (const path of candidates) if (await exists(path)) return { ...entry, modulePath: path, bundled: false };
      issues.push({ path: ['plugins', i, 'kind'], message: `plugin module ${kind} not found (looked in ${candidates.join(', ')})` });
      return { ...entry, modulePath: '', bundled: false };
    }
    const schema = Object.hasOwn(catalogue.schemas, kind) ? catalogue.schemas[kind] : undefined;
    if (!schema) {
      const known = Object.keys(catalogue.schemas).join(', ') || 'none';
      issues.push({ path: ['plugins', i, 'kind'], message: `unknown plugin kind "${kind}": not a ./ path and not a bundled plugin (bundled: ${known})` });
      return { ...entry, modulePath: '', bundled: true };
    }
    const parsed = schema.safeParse(entry.config);
    if (!parsed.success) issues.push(...zodIssues(parsed.error.issues, ['plugins', i, 'config']));
    const config = parsed.success ? (parsed.data as Record<string, unknown>) : entry.config;
    return { ...entry, config, modulePath: resolve(catalogue.dir, `${kind}.js`), bundled: true };
  }));
}
