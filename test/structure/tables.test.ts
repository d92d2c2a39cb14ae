import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { FailureCodeSchema, FailureSchema, failures } from '../../src/core/failures.js';
import { IsolationSchema, ISOLATION_LEVELS } from '../../src/core/isolation.js';
import { loadConfig as loadWithout } from '../../src/runtime/config-loader.js';
import { RUNNERS } from '../../src/runtime/runner-kinds.js';
import { ConfigError, loadConfig } from '../../src/index.js';
import { fixture } from '../helpers.js';

describe('the failure catalogue', () => {
  it('makes failures that parse as what a worker may report, covering every code but the plugin\'s own', () => {
    const made = [failures.timeout(1500), failures.cancelled(), failures.stalled(), failures.workerExited('gone'), failures.outcomeLost(),
      failures.outOfMemory('big', { rss_mb: 9 }), failures.invalidResult('bad'), failures.loadFailed('no'), failures.unknownPlugin('who'),
      failures.notImplemented('tool_pre_invoke'), failures.poolClosed()];
    for (const failure of made) assert.deepEqual(FailureSchema.parse(failure), failure);
    const codes = new Set(made.map((f) => f.code));
    assert.deepEqual(FailureCodeSchema.options.filter((c) => !codes.has(c)), ['PLUGIN_ERROR']);
    assert.deepEqual(failures.timeout(1500), { code: 'PLUGIN_TIMEOUT', message: 'exceeded its timeout of 1.5 s', details: { timeout_ms: 1500 } });
  });
});

describe('the isolation table', () => {
  it('has one row per level, each naming a runner that exists', () => {
    assert.deepEqual(Object.keys(ISOLATION_LEVELS).sort(), [...IsolationSchema.options].sort());
    for (const level of Object.values(ISOLATION_LEVELS)) assert.equal(typeof RUNNERS[level.runner], 'function');
    // what the README's table says: sandbox and process run in Compartments; a process runs one plugin per task, and
    // an external plugin is one remote call
    assert.deepEqual(Object.entries(ISOLATION_LEVELS).filter(([, l]) => l.compartment).map(([k]) => k).sort(), ['process', 'sandbox']);
    assert.deepEqual(Object.entries(ISOLATION_LEVELS).filter(([, l]) => !l.batches).map(([k]) => k), ['process', 'external']);
  });
});

describe('the plugin catalogue is handed to the config loader', () => {
  const config = { plugins: [{ name: 'deny', kind: 'deny_filter', hooks: ['tool_pre_invoke'], config: { words: ['x'] } }] };

  it('the runtime alone knows no plugin by name', async () => {
    await assert.rejects(loadWithout(config), (err: unknown) => err instanceof ConfigError && /unknown plugin kind "deny_filter".*bundled: none/.test(err.message));
  });

  it('the package entry resolves the bundled plugins, and takes another catalogue', async () => {
    assert.match((await loadConfig(config)).plugins[0]!.modulePath, /plugins\/deny_filter\.js$/);
    const arith = fixture('plugins/arith.js');
    const own = { dir: dirname(arith), schemas: { arith: z.strictObject({ factor: z.number().default(2) }) } };
    const resolved = await loadConfig({ plugins: [{ name: 'a', kind: 'arith', hooks: ['tool_pre_invoke'] }] }, own);
    assert.equal(resolved.plugins[0]!.modulePath, arith);
    assert.deepEqual(resolved.plugins[0]!.config, { factor: 2 });
    await assert.rejects(loadConfig(config, own), /unknown plugin kind "deny_filter"/);
  });
});
