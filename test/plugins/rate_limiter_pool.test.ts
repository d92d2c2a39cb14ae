import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PluginManager } from '../../src/index.js';

test('the bundled rate limiter holds one exact limit across 4 sandboxed workers under 200 concurrent calls', async () => {
  const manager = new PluginManager({
    plugin_settings: { threads: 4 },
    plugins: [{ name: 'rl', kind: 'rate_limiter', hooks: ['tool_pre_invoke'], capabilities: { store: true }, config: { by_user: '50/m' } }],
  });
  await manager.initialize();
  try {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => manager.invokeHook(
      'tool_pre_invoke', { name: 'search', args: { q: i } }, { request_id: `r${i}`, user: 'alice@example.com' })));
    const allowed = results.filter((r) => r.result.continue_processing).length;
    assert.equal(allowed, 50);
    const blocked = results.find((r) => !r.result.continue_processing)!;
    assert.equal(blocked.result.violation?.code, 'RATE_LIMITED');
    assert.equal(blocked.result.violation?.plugin_name, 'rl');
    // another user has a budget of its own
    const bob = await manager.invokeHook('tool_pre_invoke', { name: 'search', args: {} }, { request_id: 'b', user: 'bob@example.com' });
    assert.equal(bob.result.continue_processing, true);
  } finally {
    await manager.shutdown();
  }
});

test('the same limit holds for plugins in child processes (isolation: process), through the store relay', async () => {
  const manager = new PluginManager({
    plugin_settings: { processes: 2 },
    plugins: [{ name: 'rl', kind: 'rate_limiter', hooks: ['tool_pre_invoke'], isolation: 'process', capabilities: { store: true }, config: { by_user: '20/m' } }],
  });
  await manager.initialize();
  try {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => manager.invokeHook(
      'tool_pre_invoke', { name: 'search', args: { q: i } }, { request_id: `p${i}`, user: 'carol@example.com' })));
    assert.equal(results.filter((r) => r.result.continue_processing).length, 20);
  } finally {
    await manager.shutdown();
  }
});
