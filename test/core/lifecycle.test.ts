import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PluginManager } from '../../src/index.js';
import { childScript, configPath, ctx, ran, runNode, sleep, tempDir, toolPayload, withManager } from '../helpers.js';

/** OS threads of this process (Linux): worker threads are among them. */
const threadCount = () => readdirSync('/proc/self/task').length;

const trailOf = (result: { modified_payload: unknown }) => (result.modified_payload as { args: { trail: string[] } }).args.trail;

describe('lifecycle: initialize and shutdown', () => {
  test('initialize() twice, in a row or at once, is harmless', async () => {
    await withManager(configPath('basic'), async (m) => {
      await m.initialize();
      await Promise.all([m.initialize(), m.initialize()]);
      assert.equal(m.initialized, true);
      assert.equal(m.pluginCount, 1);
      const { result } = await m.invokeHook('tool_pre_invoke', toolPayload(), ctx());
      assert.deepEqual(trailOf(result), ['basic'], 'the plugin ran once: it was not registered twice');
    });
  });

  test('invoking before initialize() is an error saying so', async () => {
    const m = new PluginManager(configPath('basic'));
    assert.equal(m.initialized, false);
    assert.equal(m.pluginCount, 0);
    await assert.rejects(m.invokeHook('tool_pre_invoke', toolPayload(), ctx()), /initializ/i);
    await assert.rejects(m.invokeHookForPlugin('basic', 'tool_pre_invoke', toolPayload(), ctx()), /initializ/i);
    await m.shutdown();
  });

  test('invoking after shutdown() is an error saying so, and initialized turns false', async () => {
    const m = new PluginManager(configPath('basic'));
    await m.initialize();
    await m.shutdown();
    assert.equal(m.initialized, false);
    await assert.rejects(m.invokeHook('tool_pre_invoke', toolPayload(), ctx()), /shut ?down/i);
    await assert.rejects(m.invokeHookForPlugin('basic', 'tool_pre_invoke', toolPayload(), ctx()), /shut ?down/i);
  });

  for (const [config, plugin, detail] of [['lifecycle_factory_throws', 'broken', /no licence/], ['lifecycle_syntax_error', 'mangled', /./]] as const) {
    test(`a plugin that fails to load (${config}) fails initialize() naming it`, async () => {
      const m = new PluginManager(configPath(config));
      await assert.rejects(m.initialize(), (err: Error) => {
        assert.match(err.message, new RegExp(`\\b${plugin}\\b`));
        assert.match(err.message, detail);
        return true;
      });
      assert.equal(m.initialized, false);
      await m.shutdown();
    });

    test(`a failed initialize() (${config}) leaves nothing running: the process exits without shutdown()`, async () => {
      const child = await runNode([childScript, configPath(config), 'tool_pre_invoke', JSON.stringify(toolPayload())]);
      assert.equal(child.hung, false, 'the child did not exit on its own');
      assert.equal(child.code, 0, child.stderr);
      assert.match(JSON.parse(child.stdout.trim()).error, new RegExp(`\\b${plugin}\\b`));
    });
  }

  test('shutdown() calls each plugin\'s shutdown, in workers and inline', async () => {
    const file = join(tempDir(), 'shutdown.log');
    process.env.CORDON_TEST_MARKER_FILE = file;
    await withManager(configPath('lifecycle_shutdown'), async (m) => {
      assert.equal(existsSync(file), false, 'nothing shut down yet');
      const { result } = await m.invokeHook('tool_pre_invoke', toolPayload(), ctx());
      assert.equal(result.metadata.marker, 'inline');
    });
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.ok(lines.includes('worker'), `shutdown log: ${JSON.stringify(lines)}`);
    assert.ok(lines.includes('inline'), `shutdown log: ${JSON.stringify(lines)}`);
  });

  test('shutdown() leaves no worker thread behind, even after initialize() twice', async (t) => {
    if (!existsSync('/proc/self/task')) return t.diagnostic('no /proc/self/task here: thread count not checked');
    await withManager(configPath('basic'), async () => {}); // starts the host's own lazily created threads
    await sleep(200);
    const baseline = threadCount();
    const m = new PluginManager(configPath('basic'));
    await m.initialize();
    await m.initialize();
    assert.ok(threadCount() > baseline, 'the probe sees the workers');
    await m.invokeHook('tool_pre_invoke', toolPayload(), ctx());
    await m.shutdown();
    for (let waited = 0; threadCount() > baseline && waited < 5000; waited += 50) await sleep(50);
    assert.ok(threadCount() <= baseline, `${threadCount() - baseline} thread(s) left after shutdown()`);
  });

  test('after shutdown() a child process that used a manager exits on its own', async () => {
    const file = join(tempDir(), 'child-shutdown.log');
    const child = await runNode([childScript, configPath('lifecycle_shutdown'), 'tool_pre_invoke', JSON.stringify(toolPayload())],
      { env: { ...process.env, CORDON_TEST_MARKER_FILE: file } });
    assert.equal(child.hung, false, 'the child did not exit on its own within 15 s');
    assert.equal(child.code, 0, child.stderr);
    assert.equal(JSON.parse(child.stdout.trim()).continue_processing, true, child.stdout);
    assert.match(readFileSync(file, 'utf8'), /worker/);
  });

  test('several managers live in one process, each with its own pool and config', async () => {
    const a = new PluginManager(configPath('basic'));
    const b = new PluginManager(configPath('ordering'));
    await Promise.all([a.initialize(), b.initialize()]);
    try {
      const [ra, rb] = await Promise.all([
        a.invokeHook('tool_pre_invoke', toolPayload(), ctx()),
        b.invokeHook('tool_pre_invoke', toolPayload(), ctx()),
      ]);
      assert.deepEqual(trailOf(ra.result), ['basic']);
      assert.deepEqual(ran(rb.result.metadata), ['alpha', 'default_prio', 'first', 'high', 'late', 'zeta']);
      await a.shutdown();
      const again = await b.invokeHook('tool_pre_invoke', toolPayload(), ctx());
      assert.equal(trailOf(again.result).length, 6, 'shutting one manager down leaves the other working');
    } finally {
      await Promise.all([a.shutdown(), b.shutdown()]);
    }
  });
});
