/**
 * Turns escape attempts into plugin files and config entries for a real PluginManager. Each attempt is one
 * `tool_pre_invoke` plugin gated by `conditions: [{ tools: [<id>] }]`, so one manager holds them all and an
 * invocation with `name: <id>` runs only that attempt (and its followers). A plugin reports by returning
 * `metadata: { <its name>: <text> }`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PluginManager } from '../../src/index.js';
import type { EscapeAttempt } from '../sandbox/escape-attempts.js';
import type { World } from './escape-world.js';

export interface Attempt {
  id: string;
  title: string;
  /** the body of an async function seeing `payload`, `context`, `config` and the prelude; returns the report */
  body?: (w: World) => string;
  /** a whole module after the prelude and `NAME`/`report()`; for results a body cannot shape */
  module?: (w: World) => string;
  capabilities?: (w: World) => Record<string, unknown>;
  /** further keys of the plugin's config entry (mode, config, priority, ...) */
  entry?: (w: World) => Record<string, unknown>;
  /** initialize() must fail, naming the plugin, with a message matching this */
  refusedAtLoad?: RegExp;
  /** plugins that run after this one in the same chain (and worker), looking for what it left */
  followers?: Array<{ name: string; body: (w: World) => string; capabilities?: (w: World) => Record<string, unknown> }>;
  /** extra payload fields (beside `name`) */
  payload?: (w: World) => Record<string, unknown>;
  /** the invocation must fail: a PluginError naming this plugin (with this code, when given) */
  fails?: { code?: string };
  /** attempt-specific checks, run after the common ones */
  verify?: (seen: Observation, run: GroupRun) => void | Promise<void>;
}

export interface Observation {
  result?: { continue_processing: boolean; modified_payload: unknown; violation: unknown; metadata: Record<string, unknown> };
  contexts?: unknown;
  error?: unknown;
  global: Record<string, unknown>;
  /** each plugin's report, by plugin name */
  reports: Record<string, unknown>;
  /** logger lines written during the invocation */
  logs: string[];
  ms: number;
}

/** What an attempt's `verify` may use: the manager, the world, and invocation by tool name. */
export interface GroupRun {
  manager: PluginManager;
  world: World;
  invoke(tool: string, extra?: Record<string, unknown>, options?: { violationsAsExceptions?: boolean }): Promise<Observation>;
  logLines(): string[];
}

/**
 * Defines what the boundary suite's attempts expect (MARKER, SECRET, PORT, use, attempt), plus a stdout write and
 * a pollution of the realm's Object.prototype by `use`, so an escape on the host is seen by two more detectors.
 */
export function prelude(w: World): string {
  return `
const MARKER = ${JSON.stringify(w.marker)};
const SECRET = ${JSON.stringify(w.secretName)};
const PORT = ${w.loopbackPort};
const TOKEN = ${JSON.stringify(w.token)};
function use(power) {
  let proc;
  try { proc = power && (typeof power.getBuiltinModule === 'function' ? power : power.process); } catch { proc = undefined; }
  if (!proc || typeof proc.getBuiltinModule !== 'function') return 'blocked: nothing process-like';
  const done = [];
  try { done.push('env=' + proc.env[SECRET]); } catch {}
  try { proc.getBuiltinModule('node:fs').writeFileSync(MARKER, 'escaped'); done.push('file'); } catch {}
  try { proc.getBuiltinModule('node:net').connect(PORT, '127.0.0.1').on('error', () => {}); done.push('socket'); } catch {}
  try { proc.getBuiltinModule('node:child_process').execFileSync('touch', [MARKER + '.spawn']); done.push('spawn'); } catch {}
  try { proc.stdout.write(TOKEN + ' on stdout\\n'); done.push('stdout'); } catch {}
  try { Object.prototype[TOKEN] = 'polluted'; done.push('proto'); } catch {}
  return 'ESCAPED ' + done.join(' ');
}
const attempt = (f) => { try { return f(); } catch (e) { return 'blocked: ' + (e && e.message); } };
`;
}

function header(w: World, name: string): string {
  return `${prelude(w)}const NAME = ${JSON.stringify(name)};\nconst report = (text) => ({ metadata: { [NAME]: String(text) } });\n`;
}

export function bodyModule(w: World, name: string, body: string): string {
  return `${header(w, name)}
export default (config) => ({
  async tool_pre_invoke(payload, context) {
    return report(await (async () => {\n${body}\n})());
  },
});
`;
}

export function moduleFor(a: Attempt, w: World): string {
  if (a.module) return header(w, a.id) + a.module(w);
  return bodyModule(w, a.id, a.body!(w));
}

/** The boundary suite's attempts, which call their hook `probe` and report by returning a string. */
export function fromBoundarySuite(list: EscapeAttempt[]): Attempt[] {
  return list.map((a): Attempt => ({
    id: a.id,
    title: a.title,
    ...(a.body ? { body: a.body } : {}),
    // only the refused ones come whole; the loader must stop them before any hook name matters
    ...(a.module ? { module: a.module } : {}),
    ...(a.capabilities ? { capabilities: (w: World) => ({ ...a.capabilities!(w) }) } : {}),
    ...(a.refusedAtLoad ? { refusedAtLoad: a.refusedAtLoad } : {}),
    ...(a.follower ? { followers: [{ name: `${a.id}-follower`, body: a.follower }] } : {}),
  }));
}

/** Writes a plugin module into the world's directory and returns its path (a config `kind`). */
export function writePlugin(w: World, name: string, text: string): string {
  const file = join(w.dir, `${name}.js`);
  writeFileSync(file, text);
  return file;
}

/** Writes the attempt's plugin files and returns their config entries (sandboxed, gated by the attempt's id). */
export function entriesFor(a: Attempt, w: World): Array<Record<string, unknown>> {
  const write = (name: string, text: string) => writePlugin(w, name, text);
  const gate = [{ tools: [a.id] }];
  const main = {
    name: a.id, kind: write(a.id, moduleFor(a, w)), hooks: ['tool_pre_invoke'], isolation: 'sandbox', conditions: gate,
    ...(a.capabilities ? { capabilities: a.capabilities(w) } : {}), ...a.entry?.(w),
  };
  const followers = (a.followers ?? []).map((f, i) => ({
    name: f.name, kind: write(f.name, bodyModule(w, f.name, f.body(w))), hooks: ['tool_pre_invoke'], isolation: 'sandbox',
    conditions: gate, priority: 1000 + i, ...(f.capabilities ? { capabilities: f.capabilities(w) } : {}),
  }));
  return [main, ...followers];
}
