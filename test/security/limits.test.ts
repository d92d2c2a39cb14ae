import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PluginError, PluginManager } from '../../src/index.js';

const big = fileURLToPath(new URL('../../../test/fixtures/escapes/big-metadata.js', import.meta.url));

test('metadata over max_result_bytes is an invalid result, on the chain and through invokeHookForPlugin', async () => {
  const manager = new PluginManager({
    plugin_settings: { max_result_bytes: 2000 },
    plugins: [
      { name: 'small', kind: big, hooks: ['tool_pre_invoke'], config: { bytes: 500 }, conditions: [{ tools: ['small'] }] },
      { name: 'huge', kind: big, hooks: ['tool_pre_invoke'], config: { bytes: 5000 }, conditions: [{ tools: ['huge'] }] },
    ],
  });
  await manager.initialize();
  try {
    const ok = await manager.invokeHook('tool_pre_invoke', { name: 'small', args: {} }, { request_id: 'a' });
    assert.equal((ok.result.metadata.blob as string).length, 500);
    const isInvalid = (err: unknown) => err instanceof PluginError && err.error.code === 'INVALID_RESULT' && err.error.plugin_name === 'huge';
    await assert.rejects(manager.invokeHook('tool_pre_invoke', { name: 'huge', args: {} }, { request_id: 'b' }), isInvalid);
    await assert.rejects(manager.invokeHookForPlugin('huge', 'tool_pre_invoke', { name: 'huge', args: {} }, { request_id: 'c' }), isInvalid);
  } finally {
    await manager.shutdown();
  }
});
