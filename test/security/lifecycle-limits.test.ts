/**
 * Class 5 of issue 11, the lifecycle's limits: a plugin's module or factory that never settles, or keeps its worker
 * busy, fails initialize() naming it (its neighbours load and are not blamed); a shutdown() that never settles is
 * given up on, so the manager's shutdown() returns. At every isolation level.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PluginError, PluginManager, type ConfigInput } from '../../src/index.js';
import { captureLogger, tempDir } from '../helpers.js';

const dir = tempDir();
const plugin = (name: string, text: string) => {
  const file = join(dir, `${name}.js`);
  writeFileSync(file, text);
  return file;
};
const FINE = plugin('fine', 'export default { tool_pre_invoke() { return { metadata: { fine: true } }; } };\n');
const NEVER = plugin('never', 'export default () => new Promise(() => {});\n');
const BUSY = plugin('busy', 'export default () => { for (;;) {} };\n');
const STUCK_SHUTDOWN = plugin('stuck-shutdown', 'export default { tool_pre_invoke() { return {}; }, shutdown() { return new Promise(() => {}); } };\n');
/** what a stop, a worker or process boot (SES included) and a loaded 2-core machine may add to a deadline (seen: 12 s) */
const SLACK_MS = 30_000;
const ISOLATIONS = ['sandbox', 'worker', 'process', 'inline'] as const;

type Isolation = (typeof ISOLATIONS)[number];
const entry = (name: string, kind: string, isolation: Isolation) => ({ name, kind, hooks: ['tool_pre_invoke'], isolation });

async function failsToLoad(config: ConfigInput, culprit: RegExp): Promise<number> {
  const manager = new PluginManager(config);
  const start = performance.now();
  await assert.rejects(manager.initialize(), (err: unknown) => {
    assert.ok(err instanceof PluginError, String(err));
    assert.equal(err.error.code, 'LOAD_FAILED');
    assert.match(err.message, culprit);
    return true;
  });
  const ms = performance.now() - start;
  assert.equal(manager.initialized, false);
  await manager.shutdown();
  return ms;
}

describe('a factory that never settles fails initialize(), naming its plugin', () => {
  for (const isolation of ISOLATIONS) {
    it(`${isolation}: within its timeout plus the load allowance; the neighbour is not blamed`, async () => {
      const ms = await failsToLoad({
        plugin_settings: { plugin_timeout: 0.5, threads: 1, processes: 1 },
        plugins: [entry('fine', FINE, isolation), entry('never', NEVER, isolation)],
      }, /^Plugin never failed to load: did not finish loading within 2\.5 s/);
      assert.ok(ms < 2500 + SLACK_MS, `initialize() took ${ms} ms`);
    });
  }

  it('sandbox: a factory that loops for ever is stopped with its worker, and initialize() fails naming it', async () => {
    const ms = await failsToLoad({
      plugin_settings: { plugin_timeout: 0.5, threads: 1 },
      plugins: [entry('busy', BUSY, 'sandbox')],
    }, /^Plugin busy failed to load: loading did not finish within 12\.5 s \(a module or factory of: busy\)/);
    assert.ok(ms < 12_500 + SLACK_MS, `initialize() took ${ms} ms`);
  });
});

describe('a shutdown() that never settles is given up on', () => {
  for (const isolation of ISOLATIONS) {
    it(`${isolation}: the manager's shutdown() returns and logs the plugin's problem`, async () => {
      const logger = captureLogger();
      const manager = new PluginManager({
        plugin_settings: { threads: 1, processes: 1 },
        plugins: [entry('stuck-shutdown', STUCK_SHUTDOWN, isolation)],
      }, { logger });
      await manager.initialize();
      const start = performance.now();
      await manager.shutdown();
      const ms = performance.now() - start;
      assert.ok(ms < 3000 + SLACK_MS, `shutdown() took ${ms} ms`);
      assert.match(logger.text('warn'), /shutdown\(\) did not finish within 3 s/);
    });
  }
});
