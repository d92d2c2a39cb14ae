import type { ConfigIssue } from '../core/errors.js';
import type { WrittenEntry } from './config.js';
import type { PluginCatalogue } from './kinds.js';

/**
 * ContextForge's config shapes, taken before the schema sees a config: `plugins: null`, a `config: null`, a Python
 * class path as `kind` (a bundled equivalent takes its place, its config translated; any other is refused with the
 * way to run it), and the `grpc:` / `unix_socket:` transports (refused: only `mcp:` is spoken). Refused entries are
 * left out of what the schema parses, so every issue of the file is reported in one go; `indexOf` maps an entry's
 * index in the adapted list back to its index in the file; `writtenAt` gives a translated entry's kind and config as
 * the file wrote them.
 */
export interface Adapted {
  value: unknown;
  issues: ConfigIssue[];
  indexOf: (adaptedIndex: number) => number;
  writtenAt: (adaptedIndex: number) => WrittenEntry | undefined;
}

/** A dotted Python name with at least one dot (module.Class), not a file name. */
const PYTHON_CLASS = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/;
const SCRIPT = /\.(?:[cm]?js|[cm]?ts)$/;

const EXTERNAL_HINT = 'serve it from a ContextForge plugin server and add a kind: external entry that reaches it with mcp:';
const TRANSPORTS = ['grpc', 'unix_socket'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

function isPythonClassPath(kind: unknown, catalogue: PluginCatalogue): kind is string {
  return typeof kind === 'string' && PYTHON_CLASS.test(kind) && !SCRIPT.test(kind) && !Object.hasOwn(catalogue.schemas, kind);
}

export function adaptContextForge(raw: unknown, catalogue: PluginCatalogue): Adapted {
  const identity: Adapted = { value: raw, issues: [], indexOf: (i) => i, writtenAt: () => undefined };
  if (!isRecord(raw)) return identity;
  if (raw.plugins === null) return { ...identity, value: { ...raw, plugins: [] } };
  if (!Array.isArray(raw.plugins)) return identity;
  const issues: ConfigIssue[] = [];
  const kept: number[] = [];
  const plugins: unknown[] = [];
  const written = new Map<number, WrittenEntry>();
  raw.plugins.forEach((entry, i) => {
    const adapted = isRecord(entry) ? adaptEntry(entry, i, catalogue, issues) : entry;
    if (adapted === null) return;
    if (isRecord(entry) && isRecord(adapted) && adapted.kind !== entry.kind && typeof entry.kind === 'string') {
      written.set(plugins.length, { kind: entry.kind, config: isRecord(entry.config) ? entry.config : {} });
    }
    kept.push(i);
    plugins.push(adapted);
  });
  return { value: { ...raw, plugins }, issues, indexOf: (i) => kept[i] ?? i, writtenAt: (i) => written.get(i) };
}

/** The entry as Cordon reads it, or null when it is refused (its issues pushed). */
function adaptEntry(entry: Record<string, unknown>, i: number, catalogue: PluginCatalogue, issues: ConfigIssue[]) {
  const name = typeof entry.name === 'string' ? entry.name : `#${i}`;
  const refuse = (key: PropertyKey[], message: string) => issues.push({ path: ['plugins', i, ...key], message: `plugin "${name}": ${message}` });
  const transports = TRANSPORTS.filter((t) => entry[t] !== undefined && entry[t] !== null);
  for (const t of transports) {
    refuse([t], `the ${t} transport is not supported; Cordon reaches external plugins over MCP: serve the plugin over MCP and use mcp: (proto STREAMABLEHTTP or STDIO)`);
  }
  if (transports.length) return null;
  const { kind } = entry;
  let adapted: Record<string, unknown> = { ...entry };
  for (const t of TRANSPORTS) delete adapted[t];
  if (adapted.config === null) delete adapted.config;
  if (!isPythonClassPath(kind, catalogue)) return adapted;
  const foreign = catalogue.classPaths && Object.hasOwn(catalogue.classPaths, kind) ? catalogue.classPaths[kind] : undefined;
  if (!foreign) {
    const disabled = entry.mode === 'disabled' ? ' (or remove this disabled entry)' : '';
    refuse(['kind'], `${kind} is a ContextForge Python plugin, which Cordon does not run: ${EXTERNAL_HINT}${disabled}`);
    return null;
  }
  adapted = { ...foreign.entry, ...adapted, kind: foreign.kind };
  // a disabled plugin is never loaded, so its config is neither read nor translated
  if (entry.mode === 'disabled' || (adapted.config !== undefined && !isRecord(adapted.config))) return adapted;
  const translated = foreign.translate((adapted.config as Record<string, unknown> | undefined) ?? {});
  for (const issue of translated.issues) {
    refuse(['config', issue.key], `${issue.message} in Cordon's ${foreign.kind}, which runs for ${kind}: remove it, or run the Python plugin: ${EXTERNAL_HINT}`);
  }
  return translated.issues.length ? null : { ...adapted, config: translated.config };
}

/** Puts an issue of the adapted config back on the file's own plugin index. */
export function remapIssue(issue: ConfigIssue, indexOf: (i: number) => number): ConfigIssue {
  const [first, second, ...rest] = issue.path;
  return first === 'plugins' && typeof second === 'number' ? { ...issue, path: [first, indexOf(second), ...rest] } : issue;
}
