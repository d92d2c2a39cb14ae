import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, zodIssues, type ConfigIssue } from '../core/errors.js';
import { ConfigSchema, type ConfigInput, type ResolvedConfig } from './config.js';
import { interpolateEnv } from './interpolate.js';
import { NO_CATALOGUE, resolveKinds, type PluginCatalogue } from './kinds.js';

/**
 * Loads a YAML file or takes a config object, interpolates `${VAR}`, validates it and resolves every kind; a kind
 * that is not a path names a plugin of the given catalogue (the bundled one is handed in by the package entry).
 */
export async function loadConfig(source: string | ConfigInput, catalogue: PluginCatalogue = NO_CATALOGUE): Promise<ResolvedConfig> {
  let raw: unknown;
  let baseDir: string;
  let label: string;
  if (typeof source === 'string') {
    label = resolve(source);
    baseDir = dirname(label);
    raw = await readYaml(label);
  } else {
    label = 'object';
    baseDir = process.cwd();
    raw = source;
  }
  const env = interpolateEnv(raw ?? {}, process.env);
  if (env.issues.length) throw new ConfigError(env.issues, label);
  const parsed = ConfigSchema.safeParse(env.value);
  if (!parsed.success) throw new ConfigError(zodIssues(parsed.error.issues), label);
  const config = parsed.data;
  const pluginDirs = config.plugin_dirs.map((d) => resolve(baseDir, d));
  const issues: ConfigIssue[] = [];
  const plugins = await resolveKinds(config.plugins, baseDir, pluginDirs, issues, catalogue);
  if (issues.length) throw new ConfigError(issues, label);
  return { settings: config.plugin_settings, plugins, source: label, serverSettings: config.server_settings };
}

async function readYaml(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new ConfigError([{ path: [], message: `cannot read ${path}: ${reason}` }], path);
  }
  try {
    return parseYaml(text);
  } catch (err) {
    throw new ConfigError([{ path: [], message: `not valid YAML: ${(err as Error).message}` }], path);
  }
}
