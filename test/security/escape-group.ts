/**
 * One manager per group of attempts: every attempt's plugin in one config, one worker thread (so neighbours share
 * a worker, as they would in production), a logger that keeps every line, and the checks every attempt must pass.
 */
import assert from 'node:assert/strict';
import { PluginError, PluginManager, type ConfigInput, type GlobalContextInput } from '../../src/index.js';
import { captureLogger } from '../helpers.js';
import { entriesFor, writePlugin, type Attempt, type GroupRun, type Observation } from './escape-modules.js';
import { effects, hostSnapshot, impurities, secretLeaks, textOf, type HostSnapshot, type World } from './escape-world.js';

/** A sandboxed plugin that prints what a compartment sees of the shared intrinsics: any poisoning changes it. */
const INSPECTOR = `export default { tool_pre_invoke() {
  const targets = { 'Object.prototype': Object.prototype, 'Array.prototype': Array.prototype, 'Function.prototype': Function.prototype,
    'Promise.prototype': Promise.prototype, 'String.prototype': String.prototype, RegExp, Error, JSON, Reflect, Math, Symbol, Object, Array };
  const print = Object.entries(targets).map(([k, o]) => k + (Object.isFrozen(o) ? '' : ' NOT FROZEN') + ': ' + Reflect.ownKeys(o).map(String).sort().join());
  print.push('globals: ' + Object.getOwnPropertyNames(globalThis).sort().join());
  return { metadata: { inspector: print.join(' / ') } };
} };
`;

export interface Group extends GroupRun {
  /** what a fresh compartment in the group's worker sees of the shared intrinsics */
  fingerprint(): Promise<string>;
  close(): Promise<void>;
}

export async function openGroup(world: World, attempts: Attempt[], settings: Record<string, unknown>,
  extra: Array<Record<string, unknown>> = []): Promise<Group> {
  const inspector = writePlugin(world, 'inspector', INSPECTOR);
  const plugins = [
    ...attempts.flatMap((a) => entriesFor(a, world)), ...extra,
    { name: 'inspector', kind: inspector, hooks: ['tool_pre_invoke'], conditions: [{ tools: ['inspector'] }] },
  ];
  const logger = captureLogger();
  const manager = new PluginManager({ plugin_settings: { threads: 1, ...settings }, plugins: plugins as ConfigInput['plugins'] }, { logger });
  await manager.initialize();
  let requests = 0;
  const group: Group = {
    manager,
    world,
    logLines: () => logger.lines.map((l) => `${l.level}: ${l.message}`),
    async invoke(tool, fields = {}, options) {
      const from = logger.lines.length;
      const global: GlobalContextInput = { request_id: `${tool}-${++requests}`, state: {}, metadata: {} };
      const start = performance.now();
      const seen: Observation = { global, reports: {}, logs: [], ms: 0 };
      try {
        const { result, contexts } = await manager.invokeHook('tool_pre_invoke', { name: tool, args: {}, ...fields }, global, options);
        Object.assign(seen, { result, contexts, reports: { ...result.metadata } });
      } catch (error) {
        seen.error = error;
      }
      seen.ms = performance.now() - start;
      seen.logs = group.logLines().slice(from);
      return seen;
    },
    async fingerprint() {
      const seen = await group.invoke('inspector');
      assert.equal(seen.error, undefined, `the inspector failed: ${textOf(seen.error)}`);
      return String(seen.reports.inspector);
    },
    close: () => manager.shutdown(),
  };
  return group;
}

const HOST_PATHS = /file:\/\/|\/dist\/|\/plugins\/|node_modules|node:internal/;

/** The checks every attempt passes: no host-side effect, no secret, only plain data, and it really ran (or failed as it must). */
export function assertContained(a: Attempt, seen: Observation, world: World, before: HostSnapshot): void {
  assertNoEffects(a.id, seen, world, before);
  assertOutcome(a, seen);
}

/** No host-side effect, the secret nowhere, only plain data, nothing that looks like an escape or a host path. */
export function assertNoEffects(id: string, seen: Observation, world: World, before: HostSnapshot): void {
  const problems = [
    ...effects(world, before),
    ...secretLeaks(world, { result: seen.result, contexts: seen.contexts, error: seen.error, 'logger output': seen.logs, 'global context': seen.global }),
    ...impurities(seen.result, 'result'),
    ...impurities(seen.contexts, 'contexts'),
    ...impurities(seen.global, 'global context'),
    ...(seen.error instanceof PluginError ? impurities(seen.error.error, 'error.error') : []),
  ];
  assert.deepEqual(problems, [], `${id}: ${problems.join('; ')}`);
  const reported = textOf(seen.reports);
  assert.doesNotMatch(reported, /ESCAPED/, `${id} reports an escape: ${reported}`);
  assert.doesNotMatch(reported, HOST_PATHS, `${id} reports host paths: ${reported}`);
  assert.ok(!reported.includes(world.dir), `${id} reports the plugin directory: ${reported}`);
}

/** It failed as it must, with a PluginError naming it, or it ran and reported (with its followers). */
export function assertOutcome(a: Attempt, seen: Observation): void {
  const reported = textOf(seen.reports);
  if (a.fails) {
    assert.ok(seen.error instanceof PluginError, `${a.id} should fail with a PluginError, got ${textOf(seen.error ?? seen.result)}`);
    assert.equal(seen.error.error.plugin_name, a.id);
    if (a.fails.code) assert.equal(seen.error.error.code, a.fails.code, seen.error.message);
    return;
  }
  assert.equal(seen.error, undefined, `${a.id} failed: ${textOf(seen.error)}`);
  // an attempt that did not run at all would pass for the wrong reason
  for (const name of [a.id, ...(a.followers ?? []).map((f) => f.name)]) {
    assert.equal(typeof seen.reports[name], 'string', `${name} did not report: ${reported}`);
  }
}
