import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PluginManager, UnknownHookError } from '../../src/index.js';
import { configPath, ctx, ran, toolPayload } from '../helpers.js';

describe('parity: a misspelt hook name fails at once', () => {
  const manager = new PluginManager(configPath('parity_hooks'));
  before(() => manager.initialize());
  after(() => manager.shutdown());

  const unknown = (hook: string, closest: string) => (err: unknown) => {
    assert.ok(err instanceof UnknownHookError, String(err));
    assert.equal(err.hook, hook);
    assert.equal(err.closest, closest);
    assert.ok(err.message.includes(`"${hook}"`) && err.message.includes(`"${closest}"`), err.message);
    return true;
  };

  test('a typo of a built-in hook names the hook and the closest known one', async () => {
    await assert.rejects(manager.invokeHook('tool_pre_invok', toolPayload(), ctx()), unknown('tool_pre_invok', 'tool_pre_invoke'));
    await assert.rejects(manager.invokeHook('Tool_Post_Invoke', { name: 'x', result: 1 }, ctx()), unknown('Tool_Post_Invoke', 'tool_post_invoke'));
  });

  test('a typo of a custom hook the config names suggests that hook', async () => {
    await assert.rejects(manager.invokeHook('custom_chek', {}, ctx()), unknown('custom_chek', 'custom_check'));
  });

  test('known names still pass: built in without plugins, custom, and named only by a disabled plugin', async () => {
    assert.deepEqual(await manager.invokeHook('tool_post_invoke', { name: 'x', result: 1 }, ctx()), {
      result: { continue_processing: true, modified_payload: null, violation: null, metadata: {} }, contexts: null,
    });
    assert.equal((await manager.invokeHook('legacy_audit', {}, ctx())).contexts, null);
    assert.deepEqual(ran((await manager.invokeHook('custom_check', {}, ctx())).result.metadata), ['guard']);
  });
});
