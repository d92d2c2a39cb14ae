/**
 * The pool's upkeep (worker-upkeep.ts, thread-entry.cts, take-turns.ts): runs take turns on the workers, a stopped
 * worker's replacement is not handed the next call while it boots and the pool gets back to its thread count, and
 * a worker whose boot never ends is stopped while the call no worker can take settles.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PluginError, type PluginManager } from '../../src/index.js';
import { TURN_RUNS } from '../../src/runtime/take-turns.js';
import { captureLogger, ctx, fixture, sleep, tempDir, toolPayload, withManager } from '../helpers.js';

const config = (threads: number, marker = '', slow = '') => ({
  plugin_settings: { plugin_timeout: 0.3, threads },
  plugins: [{ name: 'b', kind: fixture('plugins/boot_loop.js'), hooks: ['tool_pre_invoke'], isolation: 'worker' as const, config: { marker, slow } }],
});

const threadOf = async (m: PluginManager) => (await m.invokeHook('tool_pre_invoke', toolPayload(), ctx())).result.metadata.thread as number;

const spin = (m: PluginManager) => assert.rejects(m.invokeHook('tool_pre_invoke', toolPayload('t', { spin: true }), ctx()),
  (err: unknown) => err instanceof PluginError && /timeout/i.test(err.message));

describe('worker upkeep', { timeout: 90_000 }, () => {
  test('runs take turns on the workers; after a runaway, the next call runs on a worker already there, and the pool regains its count', async () => {
    await withManager(config(2), async (m) => {
      const before = new Set<number>();
      for (let i = 0; i < 2 * TURN_RUNS; i++) before.add(await threadOf(m));
      assert.equal(before.size, 2, 'both workers served calls');
      await spin(m);
      assert.ok(before.has(await threadOf(m)), 'the call after the stop went to a worker that was already booted');
      // the replacement joins once booted: a thread id not seen before shows up, with no call waiting for it
      let joined = false;
      for (let i = 0; i < 100 && !joined; i++) {
        joined = !before.has(await threadOf(m));
        if (!joined) await sleep(100);
      }
      assert.ok(joined, 'a replacement worker joined the pool');
    });
  });

  test('no call is handed to a worker still booting, even when the turns move on', async () => {
    const slow = join(tempDir(), 'slow-boot');
    await withManager(config(2, '', slow), async (m) => {
      const before = new Set<number>();
      for (let i = 0; i < 2 * TURN_RUNS; i++) before.add(await threadOf(m));
      writeFileSync(slow, '');
      await spin(m);
      // the replacement has started and is in its 1.5 s boot; more calls than a turn: the turn moves on, never to it
      await sleep(200);
      for (let i = 0; i < TURN_RUNS + 2; i++) assert.ok(before.has(await threadOf(m)), `call ${i} went to a worker still booting`);
    });
  });

  test('a worker whose boot never ends is stopped, and a call no worker can take settles meanwhile', async () => {
    const marker = join(tempDir(), 'loop-at-boot');
    const logger = captureLogger();
    await withManager(config(1, marker), async (m) => {
      writeFileSync(marker, '');
      await spin(m);
      // the only worker is gone and its replacement loops in the plugin's factory: the call is given up, not left hanging
      await assert.rejects(threadOf(m), (err: unknown) => err instanceof PluginError && /none could finish booting/.test(err.message));
      rmSync(marker);
      // the watchdog stops the stuck worker; the next one boots, and calls are served again
      let served = false;
      for (let i = 0; i < 60 && !served; i++) {
        served = await threadOf(m).then(() => true, () => false);
        if (!served) await sleep(500);
      }
      assert.ok(served, 'calls are served again');
      assert.match(logger.text('warn'), /did not finish booting/);
    }, { logger });
  });
});
