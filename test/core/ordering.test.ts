import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PluginManager } from '../../src/index.js';
import { configPath, ctx, ran, toolPayload, withManager } from '../helpers.js';

describe('ordering: priority, ties and disabled plugins', () => {
  const manager = new PluginManager(configPath('ordering'));
  before(() => manager.initialize());
  after(() => manager.shutdown());

  test('plugins run in ascending priority, ties keep config order, and no priority means 100', async () => {
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx());
    assert.deepEqual(result.modified_payload?.args.trail, ['first', 'zeta', 'alpha', 'late', 'default_prio', 'high']);
  });

  test('a disabled plugin never runs and does not count as a plugin', async () => {
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx());
    assert.ok(!ran(result.metadata).includes('off'));
    assert.equal(manager.pluginCount, 6);
    assert.equal(manager.getPlugin('off'), undefined);
    assert.equal(manager.getPlugin('off_broken'), undefined);
    assert.equal(manager.getPlugin('zeta')?.name, 'zeta');
  });

  test('a disabled plugin is never loaded: its throwing factory does not fail initialize()', () => {
    // ordering.yaml holds off_broken, whose factory throws; reaching here with an initialized manager proves it
    assert.equal(manager.initialized, true);
  });
});

test('ordering: a disabled plugin whose module does not exist still lets initialize() succeed', async () => {
  await withManager(configPath('ordering_disabled_missing'), async (m) => {
    assert.equal(m.pluginCount, 1);
    const { result } = await m.invokeHook('tool_pre_invoke', toolPayload(), ctx());
    assert.deepEqual(ran(result.metadata), ['live']);
  });
});
