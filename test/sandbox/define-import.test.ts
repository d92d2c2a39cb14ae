import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PluginManager } from '../../src/index.js';
import { fixture } from '../helpers.js';

const manager = (kind: string, isolation: string) => new PluginManager({
  plugin_settings: { threads: 1, processes: 1 },
  plugins: [{ name: 'defined', kind: fixture(`plugins/${kind}`), hooks: ['tool_pre_invoke'], isolation: isolation as 'sandbox', config: { tag: isolation } }],
});

test('a plugin that imports definePlugin from cordon loads under every isolation level', async () => {
  for (const isolation of ['sandbox', 'process', 'worker', 'inline']) {
    const m = manager('defined.js', isolation);
    try {
      await m.initialize();
      const { result } = await m.invokeHook('tool_pre_invoke', { name: 'send', args: {} }, { request_id: isolation });
      assert.deepEqual(result.metadata, { defined: `send:${isolation}` }, isolation);
    } finally {
      await m.shutdown();
    }
  }
});

test('a sandboxed plugin that imports anything else from cordon fails to load, naming the missing export', async () => {
  const m = manager('imports_more.js', 'sandbox');
  await assert.rejects(m.initialize(), /Plugin defined failed to load: .*does not provide an export named 'PluginManager'/);
  await m.shutdown();
});
