import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PluginManager } from '../../src/index.js';

const storm = fileURLToPath(new URL('../../../test/fixtures/stall/storm.js', import.meta.url));

test('a worker left spinning in microtasks by a plugin is detected and replaced, and the run it held is sent again', async () => {
  const manager = new PluginManager({
    plugin_settings: { threads: 1, plugin_timeout: 0.5 },
    // `worker` isolation: a sandboxed plugin has no timers to defer work past its own call
    plugins: [{ name: 'storm', kind: storm, hooks: ['tool_pre_invoke'], mode: 'enforce_ignore_error', isolation: 'worker' }],
  });
  await manager.initialize();
  try {
    const first = await manager.invokeHook('tool_pre_invoke', { name: 't', args: { storm: true } }, { request_id: 'a' });
    assert.equal(first.result.metadata.storm, 'returned');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The only worker now never returns to its event loop: the next run cannot start there.
    const start = performance.now();
    const stuck = await manager.invokeHook('tool_pre_invoke', { name: 't', args: {} }, { request_id: 'b' });
    // none of the run's plugins ran on the stuck worker, so it is stopped and the run sent again: nobody is charged
    assert.equal(stuck.result.continue_processing, true);
    assert.equal(stuck.result.metadata.storm, 'returned', 'the run was not sent again to a fresh worker');
    assert.ok(performance.now() - start < 20_000);
    const healed = await manager.invokeHook('tool_pre_invoke', { name: 't', args: {} }, { request_id: 'c' });
    assert.equal(healed.result.metadata.storm, 'returned', 'a fresh worker serves the next call');
  } finally {
    await manager.shutdown();
  }
});
