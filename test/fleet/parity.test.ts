import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PluginManager, type ConfigInput, type PluginError } from '../../src/index.js';
import { fixture } from '../helpers.js';
import { httpMcp, serve, stdioMcp, type Served } from './serve-helpers.js';

/*
 * The acceptance line of fleet.md section 2: a manager with `kind: external` plugins served by `cordon serve`
 * returns the same results, contexts and errors as the same plugins run locally, for every mode, and for a block,
 * a modification the policy filter cuts down, a failure and a timeout. The plugin's moves are scripted by the
 * request's global metadata, which reaches the server in the plugin's context.
 */
// fire_and_forget last: its calls go on in the background, and the hanging one holds a server worker until it ends
const MODES = ['sequential', 'transform', 'audit', 'concurrent', 'enforce', 'enforce_ignore_error', 'permissive', 'fire_and_forget'] as const;
type Mode = (typeof MODES)[number];

const SCENARIOS: Record<string, Record<string, unknown>> = {
  // args is writable on tool_pre_invoke, not_writable is not: the filter keeps the one and drops the other
  modify: { trail: true, set: { not_writable: 'dropped' }, local: { seen: 1 }, global_state: { count: 1 }, metadata: { m: 1 } },
  block: { block: { reason: 'no', description: 'blocked by script', code: 'SCRIPTED', details: { k: 1 } }, metadata: { m: 2 } },
  fail: { throw: 'boom' },
  timeout: { never: true },
};

// m_<mode> plugins get a generous timeout (the machine is shared: no call may time out by accident); t_<mode> plugins
// run only the timeout scenario, with a short one
const TIMEOUT_S = 10;
const SHORT_TIMEOUT_S = 1;
const settings = { threads: 1, plugin_timeout: 30 };
const named = (mode: Mode, scenario: string) => (scenario === 'timeout' ? `t_${mode}` : `m_${mode}`);
// each plugin answers only for the tool of its own name, so one manager holds them all
const entries = (mode: Mode) => ['m', 't'].map((prefix) => ({
  name: `${prefix}_${mode}`, mode, timeout: prefix === 't' ? SHORT_TIMEOUT_S : TIMEOUT_S, conditions: [{ tools: [`${prefix}_${mode}`] }],
}));
const localConfig = (): ConfigInput => ({
  plugin_settings: settings,
  plugins: MODES.flatMap(entries).map((e) => ({ ...e, kind: fixture('plugins/scripted.js'), hooks: ['tool_pre_invoke'], config: { tag: 's' } })),
});
// hooks are left to the server
const remoteConfig = (mcp: Record<string, unknown>): ConfigInput => ({
  plugin_settings: settings,
  plugins: MODES.flatMap(entries).map((e) => ({ ...e, kind: 'external' as const, mcp: mcp as never })),
});

async function outcome(manager: PluginManager, mode: Mode, scenario: string) {
  const global = { request_id: `r-${mode}`, state: { pre: 1 } as Record<string, unknown>, metadata: { script: { s: SCENARIOS[scenario]! } } };
  try {
    const { result, contexts } = await manager.invokeHook('tool_pre_invoke', { name: named(mode, scenario), args: { a: 1 } }, global);
    return { result, contexts: Object.values(contexts ?? {}), state: global.state };
  } catch (err) {
    return { error: (err as Error).name, message: (err as Error).message, info: (err as PluginError).error };
  }
}

async function expectParity(remote: PluginManager, local: PluginManager) {
  for (const mode of MODES) {
    for (const scenario of Object.keys(SCENARIOS)) {
      const [want, got] = await Promise.all([outcome(local, mode, scenario), outcome(remote, mode, scenario)]);
      assert.deepEqual(got, want, `${mode} / ${scenario}`);
    }
  }
}

describe('an external plugin behaves as the same plugin run locally', () => {
  let local: PluginManager;
  let server: Served;
  before(async () => {
    [local, server] = await Promise.all([new PluginManager(localConfig()), serve([fixture('fleet/server.yaml'), '--port', '0'])]);
    await local.initialize();
  });
  after(async () => {
    await local?.shutdown();
    await server?.stop();
  });

  test('the local outcomes are the ones the scenarios are about', async () => {
    const modify = await outcome(local, 'sequential', 'modify');
    assert.deepEqual(modify.result?.modified_payload, { name: 'm_sequential', args: { a: 1, trail: ['s'] } });
    assert.deepEqual(modify.state, { pre: 1, count: 1 });
    assert.deepEqual(modify.contexts?.[0]?.state, { seen: 1 });
    const block = await outcome(local, 'enforce', 'block');
    assert.equal(block.result?.continue_processing, false);
    assert.equal(block.result?.violation?.plugin_name, 'm_enforce');
    assert.equal((await outcome(local, 'sequential', 'fail')).info?.code, 'PLUGIN_ERROR');
    assert.equal((await outcome(local, 'sequential', 'timeout')).info?.code, 'PLUGIN_TIMEOUT');
    assert.equal((await outcome(local, 'permissive', 'timeout')).result?.continue_processing, true);
    assert.deepEqual((await outcome(local, 'audit', 'modify')).result?.metadata, { ran_s: true, m: 1 }, 'audit keeps metadata');
  });

  test('over streamable HTTP', { timeout: 300_000 }, async () => {
    const remote = new PluginManager(remoteConfig(httpMcp(server.url)));
    await remote.initialize();
    try {
      assert.deepEqual(remote.getPlugin('m_audit')?.hooks, ['tool_pre_invoke'], 'hooks come from the server');
      await expectParity(remote, local);
    } finally {
      await remote.shutdown();
    }
  });

  test('over stdio', { timeout: 300_000 }, async () => {
    const remote = new PluginManager(remoteConfig(stdioMcp()));
    await remote.initialize();
    try {
      await expectParity(remote, local);
    } finally {
      await remote.shutdown();
    }
  });
});
