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

// generous: the machine is shared, and a call must not time out by accident
const TIMEOUT_S = 2;
const settings = { threads: 1, plugin_timeout: 10 };
// each plugin answers only for the tool named after its mode, so one manager holds them all
const localConfig = (): ConfigInput => ({
  plugin_settings: settings,
  plugins: MODES.map((mode) => ({
    name: `m_${mode}`, kind: fixture('plugins/scripted.js'), hooks: ['tool_pre_invoke'], mode, timeout: TIMEOUT_S,
    conditions: [{ tools: [mode] }], config: { tag: 's' },
  })),
});
// hooks are left to the server
const remoteConfig = (mcp: Record<string, unknown>): ConfigInput => ({
  plugin_settings: settings,
  plugins: MODES.map((mode) => ({ name: `m_${mode}`, kind: 'external' as const, mode, timeout: TIMEOUT_S, conditions: [{ tools: [mode] }], mcp: mcp as never })),
});

async function outcome(manager: PluginManager, mode: Mode, actions: Record<string, unknown>, hook = 'tool_pre_invoke') {
  const global = { request_id: `r-${mode}`, state: { pre: 1 } as Record<string, unknown>, metadata: { script: { s: actions } } };
  try {
    const { result, contexts } = await manager.invokeHook(hook, { name: mode, args: { a: 1 } }, global);
    return { result, contexts: Object.values(contexts ?? {}), state: global.state };
  } catch (err) {
    return { error: (err as Error).name, message: (err as Error).message, info: (err as PluginError).error };
  }
}

async function expectParity(remote: PluginManager, local: PluginManager) {
  for (const mode of MODES) {
    for (const [name, actions] of Object.entries(SCENARIOS)) {
      const [want, got] = await Promise.all([outcome(local, mode, actions), outcome(remote, mode, actions)]);
      assert.deepEqual(got, want, `${mode} / ${name}`);
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
    const modify = await outcome(local, 'sequential', SCENARIOS.modify!);
    assert.deepEqual(modify.result?.modified_payload, { name: 'sequential', args: { a: 1, trail: ['s'] } });
    assert.deepEqual(modify.state, { pre: 1, count: 1 });
    assert.deepEqual(modify.contexts?.[0]?.state, { seen: 1 });
    const block = await outcome(local, 'enforce', SCENARIOS.block!);
    assert.equal(block.result?.continue_processing, false);
    assert.equal(block.result?.violation?.plugin_name, 'm_enforce');
    assert.equal((await outcome(local, 'sequential', SCENARIOS.fail!)).info?.code, 'PLUGIN_ERROR');
    assert.equal((await outcome(local, 'sequential', SCENARIOS.timeout!)).info?.code, 'PLUGIN_TIMEOUT');
    assert.equal((await outcome(local, 'permissive', SCENARIOS.timeout!)).result?.continue_processing, true);
  });

  test('over streamable HTTP', async () => {
    const remote = new PluginManager(remoteConfig(httpMcp(server.url)));
    await remote.initialize();
    try {
      assert.deepEqual(remote.getPlugin('m_audit')?.hooks, ['tool_pre_invoke'], 'hooks come from the server');
      await expectParity(remote, local);
    } finally {
      await remote.shutdown();
    }
  });

  test('over stdio', async () => {
    const remote = new PluginManager(remoteConfig(stdioMcp()));
    await remote.initialize();
    try {
      await expectParity(remote, local);
    } finally {
      await remote.shutdown();
    }
  });
});
