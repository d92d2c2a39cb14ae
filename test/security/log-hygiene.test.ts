import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PluginError, PluginManager } from '../../src/index.js';

const forger = fileURLToPath(new URL('../../../test/fixtures/escapes/forger.js', import.meta.url));

test('plugin text reaches the logger and errors bounded and escaped: no forged lines, no terminal escapes', async () => {
  const lines: string[] = [];
  const log = (message: string) => void lines.push(message);
  const manager = new PluginManager({
    plugins: [
      { name: 'ignored', kind: forger, hooks: ['tool_pre_invoke'], mode: 'enforce_ignore_error', conditions: [{ tools: ['a'] }] },
      { name: 'raised', kind: forger, hooks: ['tool_pre_invoke'], conditions: [{ tools: ['b'] }] },
    ],
  }, { logger: { debug: log, info: log, warn: log, error: log } });
  await manager.initialize();
  try {
    await manager.invokeHook('tool_pre_invoke', { name: 'a', args: {} }, { request_id: 'a' });
    const err = await manager.invokeHook('tool_pre_invoke', { name: 'b', args: {} }, { request_id: 'b' }).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof PluginError);
    for (const text of [...lines, err.message]) {
      assert.ok(text.length < 10_000, `a ${text.length}-character line`);
      assert.doesNotMatch(text, /\n|\u001b/, 'a raw newline or escape character got through');
    }
    assert.ok(lines.some((l) => l.startsWith('[ignored] ')), 'the console line reached the logger, tagged');
    assert.ok(lines.some((l) => /plugin ignored failed/.test(l)), 'the ignored failure was logged');
    const before = lines.length;
    await manager.invokeHookForPlugin('ignored', 'tool_pre_invoke', { name: 'a', args: {} }, { request_id: 'c' });
    assert.ok(lines.slice(before).some((l) => l.startsWith('[ignored] ')), 'invokeHookForPlugin drops console lines');
  } finally {
    await manager.shutdown();
  }
});

test("a plugin process's stray rejection full of control characters neither ends the child nor reaches the logger raw", async () => {
  // Plugin text used to reach a child's stderr only through Node's report of an unhandled rejection; children now
  // drop those (the plugin's work ends with its call), so the child lives, and whatever it does print is escaped.
  const lines: string[] = [];
  const log = (message: string) => void lines.push(message);
  const stray = fileURLToPath(new URL('../../../test/fixtures/escapes/stray-stderr.js', import.meta.url));
  const manager = new PluginManager({
    plugin_settings: { processes: 1 },
    plugins: [{ name: 'stray', kind: stray, hooks: ['tool_pre_invoke'], isolation: 'process', mode: 'enforce_ignore_error' }],
  }, { logger: { debug: log, info: log, warn: log, error: log } });
  await manager.initialize();
  try {
    for (const id of ['a', 'b']) {
      const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'a', args: {} }, { request_id: id });
      assert.equal(result.continue_processing, true);
    }
    assert.ok(!lines.some((l) => /exited|crash/i.test(l)), `the child ended: ${lines.join(' / ')}`);
    for (const line of lines) assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f]/, `a raw control character: ${JSON.stringify(line)}`);
  } finally {
    await manager.shutdown();
  }
});
