import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PluginError, PluginManager, type ConfigInput } from '../../src/index.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/modes/', import.meta.url));
const kind = (name: string) => `${dir}${name}.js`;
const payload = (args: Record<string, unknown> = {}) => ({ name: 'tool', args });
const global = () => ({ request_id: `r-${Math.random()}`, state: {}, metadata: {} });
const hooks = ['tool_pre_invoke'];
const clock = { clock: true };

interface Captured { level: string; message: string }
function capture() {
  const lines: Captured[] = [];
  const log = (level: string) => (message: string) => lines.push({ level, message });
  return { lines, logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } };
}

async function started(config: ConfigInput, logger?: ReturnType<typeof capture>['logger']) {
  const manager = new PluginManager(config, logger ? { logger } : {});
  await manager.initialize();
  return manager;
}

describe('concurrent mode', () => {
  test('two 300 ms concurrent plugins run side by side on a 2-thread pool', async () => {
    const manager = await started({
      plugin_settings: { threads: 2 },
      plugins: [
        { name: 'a', kind: kind('busy'), hooks, mode: 'concurrent', config: { ms: 300 }, capabilities: clock },
        { name: 'b', kind: kind('busy'), hooks, mode: 'concurrent', config: { ms: 300 }, capabilities: clock },
      ],
    });
    try {
      // the best of three, so another test file busy on the same 2 cores cannot fail it; run one after the other,
      // every attempt would take >= 600 ms
      const times: number[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const start = performance.now();
        const { result } = await manager.invokeHook('tool_pre_invoke', payload(), global());
        times.push(performance.now() - start);
        assert.equal(result.continue_processing, true);
      }
      assert.ok(Math.min(...times) < 560, `took ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    } finally {
      await manager.shutdown();
    }
  });

  test('a block wins, the others are cancelled and their workers freed, modifications are discarded', async () => {
    const manager = await started({
      plugin_settings: { threads: 2, plugin_timeout: 20 },
      plugins: [
        { name: 'slow', kind: kind('busy'), hooks, mode: 'concurrent', priority: 1, config: { ms: 10_000 }, capabilities: clock,
          conditions: [{ tools: ['tool'] }] },
        { name: 'blocker', kind: kind('busy'), hooks, mode: 'concurrent', priority: 2, config: { block: 'no' }, capabilities: clock,
          conditions: [{ tools: ['tool'] }] },
        { name: 'changer', kind: kind('echo-args'), hooks, mode: 'concurrent', priority: 3, config: { key: 'c' } },
        { name: 'quick', kind: kind('busy'), hooks, mode: 'concurrent', config: { ms: 0 }, capabilities: clock, conditions: [{ tools: ['other'] }] },
      ],
    });
    try {
      const start = performance.now();
      const { result } = await manager.invokeHook('tool_pre_invoke', payload(), global());
      assert.ok(performance.now() - start < 5000, 'the slow plugin was not cancelled');
      assert.equal(result.continue_processing, false);
      assert.equal(result.violation?.plugin_name, 'blocker');
      assert.equal(result.modified_payload, null);
      // both workers must be free again: two calls at once finish promptly
      const again = performance.now();
      await Promise.all([1, 2].map(() => manager.invokeHook('tool_pre_invoke', { name: 'other', args: {} }, global())));
      assert.ok(performance.now() - again < 3000, 'a worker was still busy with the cancelled plugin');
    } finally {
      await manager.shutdown();
    }
  });

  test('a failing concurrent plugin raises PluginError by default', async () => {
    const manager = await started({ plugins: [{ name: 'bad', kind: kind('busy'), hooks, mode: 'concurrent', config: { fail: 'boom' }, capabilities: clock }] });
    try {
      await assert.rejects(manager.invokeHook('tool_pre_invoke', payload(), global()), (err) => err instanceof PluginError && /bad.*boom/.test(err.message));
    } finally {
      await manager.shutdown();
    }
  });
});

describe('serial phases', () => {
  let manager: PluginManager;
  const log = capture();
  before(async () => {
    manager = await started({
      plugins: [
        { name: 'audit', kind: kind('echo-args'), hooks, mode: 'audit', priority: 1, config: { key: 'audited', block: true } },
        { name: 'transformer', kind: kind('echo-args'), hooks, mode: 'transform', priority: 20, config: { key: 't', block: true } },
        { name: 'seq', kind: kind('global-writer'), hooks, mode: 'sequential', priority: 10, config: { key: 's' } },
        { name: 'tglobal', kind: kind('global-writer'), hooks, mode: 'transform', priority: 30, config: { key: 'tg' } },
      ],
    }, log.logger);
  });
  after(() => manager.shutdown());

  test('sequential and transform run by priority, then audit sees the final payload', async () => {
    const g = global();
    const { result } = await manager.invokeHook('tool_pre_invoke', payload({ x: 1 }), g);
    assert.equal(result.continue_processing, true, 'neither transform nor audit may block');
    assert.deepEqual(result.modified_payload, { name: 'tool', args: { x: 1, s: true, t: true, tg: true } }, 'audit changes never reach the result');
    assert.equal(result.metadata.t, 's,x', 'transform ran after the priority-10 sequential plugin');
    assert.equal(result.metadata.audited, 's,t,tg,x', 'audit (priority 1) ran after the serial phase');
    assert.deepEqual(g.state, { s: true }, 'only the sequential plugin merges global state');
    assert.ok(log.lines.some((l) => /transformer.*would block/.test(l.message)), 'a transform block is logged');
  });
});

describe('fire_and_forget mode', () => {
  test('a hanging plugin never delays the caller and is killed by its timeout', async () => {
    const log = capture();
    const manager = await started({
      plugin_settings: { threads: 2 },
      plugins: [
        { name: 'hang', kind: kind('hang'), hooks, mode: 'fire_and_forget', timeout: 0.3 },
        { name: 'tag', kind: kind('echo-args'), hooks, mode: 'sequential', config: { key: 'seen' } },
      ],
    }, log.logger);
    try {
      await manager.invokeHook('tool_pre_invoke', payload(), global());
      const start = performance.now();
      const { result } = await manager.invokeHook('tool_pre_invoke', payload(), global());
      assert.ok(performance.now() - start < 250, 'the caller waited for a fire-and-forget plugin');
      assert.equal(result.metadata.seen, '');
      const deadline = Date.now() + 3000;
      while (!log.lines.some((l) => /hang.*exceeded its timeout of 0.3 s/.test(l.message)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(log.lines.some((l) => l.level === 'warn' && /hang.*exceeded its timeout/.test(l.message)), 'timeout not logged');
    } finally {
      await manager.shutdown();
    }
  });
});

describe('on_error and per-plugin timeout', () => {
  test('on_error: disable takes the plugin out after one failure, and it can be re-enabled', async () => {
    const manager = await started({ plugins: [{ name: 'flaky', kind: kind('flaky'), hooks, mode: 'sequential', on_error: 'disable' }] });
    try {
      const failed = await manager.invokeHook('tool_pre_invoke', payload({ fail: true }), global());
      assert.equal(failed.result.continue_processing, true);
      assert.deepEqual(manager.disabledPlugins, ['flaky']);
      const skipped = await manager.invokeHook('tool_pre_invoke', payload(), global());
      assert.equal(skipped.result.metadata.flaky, undefined, 'a disabled plugin ran');
      assert.equal(await manager.enablePlugin('flaky'), true);
      const back = await manager.invokeHook('tool_pre_invoke', payload(), global());
      assert.equal(back.result.metadata.flaky, 'ran');
    } finally {
      await manager.shutdown();
    }
  });

  test('on_error: ignore overrides a failing mode, and a plugin timeout overrides plugin_timeout', async () => {
    const manager = await started({
      plugin_settings: { plugin_timeout: 30 },
      plugins: [
        { name: 'ignored', kind: kind('busy'), hooks, mode: 'sequential', on_error: 'ignore', config: { fail: 'x' }, capabilities: clock },
        { name: 'hang', kind: kind('hang'), hooks, mode: 'sequential', timeout: 0.2 },
      ],
    });
    try {
      const start = performance.now();
      await assert.rejects(manager.invokeHook('tool_pre_invoke', payload(), global()), (err) =>
        err instanceof PluginError && err.error.plugin_name === 'hang' && /exceeded its timeout of 0.2 s/.test(err.message));
      assert.ok(performance.now() - start < 5000);
    } finally {
      await manager.shutdown();
    }
  });
});
