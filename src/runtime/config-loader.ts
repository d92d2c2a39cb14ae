import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, zodIssues, type ConfigIssue } from '../core/errors.js';
import { ConfigSchema, PluginEntrySchema, type ConfigInput, type ResolvedConfig, type WrittenEntry } from './config.js';
import { adaptContextForge, remapIssue } from './contextforge.js';
import { interpolateEnv } from './interpolate.js';
import { NO_CATALOGUE, resolveKinds, type PluginCatalogue } from './kinds.js';
import { yaml } from './cjs-deps.js';

/**
 * Loads a YAML file or takes a config object, interpolates `${VAR}`, validates it and resolves every kind; a kind
 * that is not a path names a plugin of the given catalogue (the bundled one is handed in by the package entry).
 * Every issue is reported at once: unset variables, the schema, and the kinds (and catalogue plugins' configs) of
 * every entry that parses, so fixing one issue never just uncovers the next.
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
  // ContextForge's shapes first; its refusals are reported together with whatever else the file gets wrong
  const adapted = adaptContextForge(env.value, catalogue);
  const issues: ConfigIssue[] = [];
  const fail = (more: ConfigIssue[]) =>
    new ConfigError([...env.issues, ...adapted.issues, ...more.map((issue) => remapIssue(issue, adapted.indexOf))].sort(byPlugin), label);
  const parsed = ConfigSchema.safeParse(adapted.value);
  if (!parsed.success) {
    // a value whose variable is unset is already reported; what the schema then says of the empty string is noise
    const unset = new Set(env.issues.map((i) => i.path.join('.')));
    const schemaIssues = zodIssues(parsed.error.issues).filter((i) => !unset.has(i.path.join('.')));
    throw fail([...schemaIssues, ...(await kindIssuesOfParsedEntries(adapted.value, baseDir, catalogue))]);
  }
  const config = parsed.data;
  const pluginDirs = config.plugin_dirs.map((d) => resolve(baseDir, d));
  const resolved = await resolveKinds(config.plugins, baseDir, pluginDirs, issues, catalogue);
  for (const issue of issues) asWritten(issue, adapted.writtenAt, catalogue);
  if (issues.length || adapted.issues.length || env.issues.length) throw fail(issues);
  const plugins = resolved.map((entry, i) => {
    const written = adapted.writtenAt(i);
    return written ? { ...entry, written } : entry;
  });
  return { settings: config.plugin_settings, plugins, source: label, serverSettings: config.server_settings };
}

/** Issues in file order: those of plugins[i] by i, the rest first (a stable sort keeps each plugin's own order). */
const pluginIndex = (issue: ConfigIssue) => (issue.path[0] === 'plugins' && typeof issue.path[1] === 'number' ? issue.path[1] : -1);
const byPlugin = (a: ConfigIssue, b: ConfigIssue) => pluginIndex(a) - pluginIndex(b);

/** The kind issues of the plugin entries that do parse, in a config that as a whole does not. */
async function kindIssuesOfParsedEntries(value: unknown, baseDir: string, catalogue: PluginCatalogue): Promise<ConfigIssue[]> {
  const doc = (value && typeof value === 'object' ? value : {}) as { plugins?: unknown; plugin_dirs?: unknown };
  const dirs = Array.isArray(doc.plugin_dirs) ? doc.plugin_dirs.filter((d): d is string => typeof d === 'string') : [];
  const pluginDirs = dirs.map((d) => resolve(baseDir, d));
  const entries = Array.isArray(doc.plugins) ? doc.plugins : [];
  const issues: ConfigIssue[] = [];
  await Promise.all(entries.map(async (raw, index) => {
    const entry = PluginEntrySchema.safeParse(raw);
    if (!entry.success) return;
    const own: ConfigIssue[] = [];
    await resolveKinds([entry.data], baseDir, pluginDirs, own, catalogue);
    issues.push(...own.map((issue) => ({ ...issue, path: ['plugins', index, ...issue.path.slice(2)] })));
  }));
  return issues.sort((a, b) => Number(a.path[1]) - Number(b.path[1]));
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
    return yaml.parse(text);
  } catch (err) {
    throw new ConfigError([{ path: [], message: `not valid YAML: ${yamlProblem(err)}` }], path);
  }
}

/**
 * The first line of a YAML error, without the excerpt and caret the yaml package appends on the lines after
 * it: errors are one line. Its position ("at line 3, column 7") is part of that first line.
 */
function yamlProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n')[0] ?? message).replace(/:\s*$/, '');
}

/**
 * An issue in a translated entry's config, named by the key its file wrote (`config.words[1].search`, not the
 * translation's `config.rules[1].search`).
 */
function asWritten(issue: ConfigIssue, writtenAt: (i: number) => WrittenEntry | undefined, catalogue: PluginCatalogue): void {
  const [plugins, index, config, key] = issue.path;
  if (plugins !== 'plugins' || typeof index !== 'number' || config !== 'config' || typeof key !== 'string') return;
  const written = writtenAt(index);
  const renames = written ? catalogue.classPaths?.[written.kind]?.writtenAs : undefined;
  if (renames && Object.hasOwn(renames, key)) issue.path[3] = renames[key]!;
}
