import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as local from '../../src/index.js';
import { configPath, ctx, toolPayload, withManager } from '../helpers.js';

// imported by its package name through the exports map, as users do; a variable keeps tsc from resolving it at build
const packageName: string = 'cordon';
const entry = (await import(packageName)) as typeof local;

describe('api: the package entry', () => {
  test('exports the public names, the same objects as the built module', () => {
    for (const name of ['PluginManager', 'PluginError', 'PluginViolationError', 'PayloadSizeError', 'ConfigError', 'definePlugin', 'loadConfig'] as const) {
      assert.equal(typeof entry[name], 'function', name);
      assert.equal(entry[name], local[name], name);
    }
  });

  test('definePlugin returns its argument unchanged', () => {
    const hooks = { tool_pre_invoke: () => undefined };
    const factory = () => hooks;
    assert.equal(entry.definePlugin(hooks), hooks);
    assert.equal(entry.definePlugin(factory), factory);
  });

  test('instanceof works for PluginError, PluginViolationError, PayloadSizeError and ConfigError from the entry', async () => {
    const caught: unknown[] = [];
    await withManager(configPath('payloads'), async (m) => {
      await m.invokeHook('tool_pre_invoke', toolPayload('x', { pad: 'p'.repeat(400) }), ctx()).catch((e) => caught.push(e));
      await m.invokeHook('tool_pre_invoke', toolPayload(), ctx({ watcher: { throw: 'x' } })).catch((e) => caught.push(e));
      await m.invokeHook('tool_pre_invoke', toolPayload(), ctx({ watcher: { block: true } }), { violationsAsExceptions: true }).catch((e) => caught.push(e));
    });
    await entry.loadConfig(configPath('config_bad_mode')).catch((e) => caught.push(e));
    const [size, plugin, violation, config] = caught;
    assert.ok(size instanceof entry.PayloadSizeError && size instanceof Error);
    assert.ok(plugin instanceof entry.PluginError && plugin instanceof Error);
    assert.ok(violation instanceof entry.PluginViolationError && violation instanceof Error);
    assert.ok(config instanceof entry.ConfigError && config instanceof Error);
    assert.ok(!(plugin instanceof entry.PluginViolationError) && !(violation instanceof entry.PluginError), 'the classes are distinct');
  });
});

describe('api: the manager\'s accessors and plugin module shapes', () => {
  test('pluginCount, hasHooksFor and getPlugin see enabled plugins only', async () => {
    await withManager(configPath('plugin_forms'), async (m) => {
      assert.equal(m.initialized, true);
      assert.equal(m.pluginCount, 2);
      assert.equal(m.hasHooksFor('tool_pre_invoke'), true);
      assert.equal(m.hasHooksFor('tool_post_invoke'), false, 'only a disabled plugin registers it');
      assert.equal(m.getPlugin('async_factory')?.kind, './async_factory.js');
      assert.equal(m.getPlugin('resting'), undefined);
      assert.equal(m.getPlugin('nobody'), undefined);
    });
  });

  test('a default export may be a hooks object or an async function of the config', async () => {
    await withManager(configPath('plugin_forms'), async (m) => {
      const { result } = await m.invokeHook('tool_pre_invoke', toolPayload(), ctx());
      assert.equal(result.metadata.pre_only, true);
      assert.deepEqual(result.modified_payload, toolPayload('lookup', { greeting: 'hi there' }));
    });
  });

  test('the timeoutMs option overrides plugin_timeout', async () => {
    // basic.yaml keeps the default plugin_timeout of 30 s
    await withManager(configPath('basic'), async (m) => {
      const start = performance.now();
      await assert.rejects(m.invokeHook('tool_pre_invoke', toolPayload(), ctx({ basic: { spin: true } })),
        (err: unknown) => err instanceof entry.PluginError && /timeout/i.test(err.message));
      assert.ok(performance.now() - start < 5000);
    }, { timeoutMs: 300 });
  });
});
