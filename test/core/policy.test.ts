import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PluginManager } from '../../src/index.js';
import { captureLogger, configPath, ctx, toolPayload, withManager } from '../helpers.js';
import { HOOK_SAMPLES } from './hook-samples.js';

type Seen = { payload: Record<string, unknown> };
const seenBy = (metadata: Record<string, unknown>, tag: string) => (metadata[`seen_${tag}`] as Seen).payload;

describe('policy filter with the default policies (default_hook_policy deny)', () => {
  const logger = captureLogger();
  const manager = new PluginManager(configPath('policy'), { logger });
  before(() => manager.initialize());
  after(() => manager.shutdown());

  test('only writable fields that changed are merged; every other change is dropped', async () => {
    const script = { a: { set: { result: { rows: 2 }, name: 'hacked', added: 'field' } } };
    const { result } = await manager.invokeHook('tool_post_invoke', { name: 'calc', result: { rows: 1 } }, ctx(script));
    assert.deepEqual(result.modified_payload, { name: 'calc', result: { rows: 2 } });
  });

  test('the default policy of every hook with fields lets exactly its writable fields through', async () => {
    for (const { hook, payload, changed, writable } of HOOK_SAMPLES) {
      if (!changed || !writable) continue;
      const expected = { ...payload, ...Object.fromEntries(writable.map((f) => [f, changed[f]])) };
      const { result } = await manager.invokeHook(hook, payload, ctx({ a: { replace: { ...payload, ...changed } } }));
      assert.deepEqual(result.modified_payload, expected, hook);
    }
  });

  test('nothing writable changed: modified_payload stays null', async () => {
    const payload = { name: 'calc', result: 1 };
    for (const a of [{ set: { name: 'hacked' } }, { replace: { name: 'calc', result: 1 } }]) {
      const { result } = await manager.invokeHook('tool_post_invoke', payload, ctx({ a }));
      assert.equal(result.modified_payload, null, JSON.stringify(a));
      assert.equal(result.continue_processing, true);
    }
  });

  test('a merge that no longer parses with the hook schema is rejected and logged; the next plugin sees the old payload', async () => {
    logger.lines.length = 0;
    const script = { a: { set: { args: 'not an object' } }, b: { echo: true } };
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload('t', { keep: 1 }), ctx(script));
    assert.equal(result.modified_payload, null);
    assert.deepEqual(seenBy(result.metadata, 'b').args, { keep: 1 });
    assert.match(logger.text(), /p_a/);
    const headers = { a: { set: { headers: { 'x-count': 1 } } } };
    assert.equal((await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx(headers))).result.modified_payload, null);
  });

  test('the next plugin sees the merged payload, and the result is the last merged payload', async () => {
    const script = { a: { set: { result: 2, name: 'hacked' } }, b: { echo: true, set: { result: 3 } } };
    const { result } = await manager.invokeHook('tool_post_invoke', { name: 'calc', result: 1 }, ctx(script));
    assert.deepEqual(seenBy(result.metadata, 'b'), { name: 'calc', result: 2 });
    assert.deepEqual(result.modified_payload, { name: 'calc', result: 3 });
  });

  test('http_auth_resolve_user: the result is taken whole and the next plugin receives it as its payload', async () => {
    const user = { email: 'ada@example.com', is_admin: true, teams: ['core'] };
    const script = { a: { replace: user }, b: { echo: true } };
    const { result } = await manager.invokeHook('http_auth_resolve_user', { headers: { authorization: 'Bearer t' } }, ctx(script));
    assert.deepEqual(result.modified_payload, user);
    assert.deepEqual(seenBy(result.metadata, 'b'), user);
  });

  test('http_auth_check_permission: the decision is taken whole and _decision_plugin names the last accepted plugin', async () => {
    const payload = { user_email: 'ada@example.com', permission: 'tools.run', is_admin: false };
    const one = await manager.invokeHook('http_auth_check_permission', payload, ctx({ a: { replace: { granted: true, reason: 'team' } } }));
    assert.deepEqual(one.result.modified_payload, { granted: true, reason: 'team' });
    assert.equal(one.result.metadata._decision_plugin, 'p_a');

    const two = await manager.invokeHook('http_auth_check_permission', payload,
      ctx({ a: { replace: { granted: true } }, b: { replace: { granted: false, reason: 'suspended' } } }));
    assert.deepEqual(two.result.modified_payload, { granted: false, reason: 'suspended' });
    assert.equal(two.result.metadata._decision_plugin, 'p_b');

    const kept = await manager.invokeHook('http_auth_check_permission', payload, ctx({ a: { replace: { granted: true } }, b: {} }));
    assert.equal(kept.result.metadata._decision_plugin, 'p_a', 'a plugin that returns no decision does not take it over');
  });

  test('http_auth_check_permission: a decision of the wrong shape is rejected, so no plugin decided', async () => {
    const payload = { user_email: 'ada@example.com', permission: 'tools.run', is_admin: false };
    const { result } = await manager.invokeHook('http_auth_check_permission', payload, ctx({ a: { replace: { granted: 'yes' } } }));
    assert.equal(result.modified_payload, null);
    assert.ok(result.metadata._decision_plugin == null, `got ${String(result.metadata._decision_plugin)}`);
  });

  test('a custom hook with no policy under default deny: the modification is dropped with a warning', async () => {
    logger.lines.length = 0;
    const script = { a: { replace: { taken: 'over' } }, b: { echo: true } };
    const { result } = await manager.invokeHook('custom_check', { original: true }, ctx(script));
    assert.equal(result.modified_payload, null);
    assert.deepEqual(seenBy(result.metadata, 'b'), { original: true });
    assert.ok(logger.lines.some((l) => l.level === 'warn' && l.message.includes('custom_check')), logger.text());
  });

  test('metadata merges in plugin order, later wins, and keys starting with _ are dropped', async () => {
    const script = {
      a: { metadata: { k: 'from a', only_a: 1, _secret: 'x' } },
      b: { metadata: { k: 'from b', _decision_plugin: 'forged' } },
    };
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx(script));
    assert.equal(result.metadata.k, 'from b');
    assert.equal(result.metadata.only_a, 1);
    assert.ok(!Object.keys(result.metadata).some((k) => k.startsWith('_')), JSON.stringify(result.metadata));
  });
});

describe('policy filter with other policies', () => {
  test('defaultHookPolicy allow: a custom hook takes the modification whole, and the next plugin sees it', async () => {
    await withManager(configPath('policy'), async (m) => {
      const script = { a: { replace: { taken: 'over' } }, b: { echo: true } };
      const { result } = await m.invokeHook('custom_check', { original: true }, ctx(script));
      assert.deepEqual(result.modified_payload, { taken: 'over' });
      assert.deepEqual(seenBy(result.metadata, 'b'), { taken: 'over' });
    }, { defaultHookPolicy: 'allow' });
  });

  test('plugin_settings.default_hook_policy: allow in YAML does the same', async () => {
    await withManager(configPath('policy_allow'), async (m) => {
      const { result } = await m.invokeHook('custom_check', { original: true }, ctx({ a: { replace: { taken: 'over' } } }));
      assert.deepEqual(result.modified_payload, { taken: 'over' });
    });
  });

  test('hookPolicies replaces the default policy of the hooks it names, and only those', async () => {
    await withManager(configPath('policy'), async (m) => {
      const pre = await m.invokeHook('tool_pre_invoke', toolPayload('orig', { z: 0 }), ctx({ a: { set: { name: 'renamed', args: { z: 1 } } } }));
      assert.deepEqual(pre.result.modified_payload, toolPayload('orig', { z: 1 }), 'name is no longer writable');
      const custom = await m.invokeHook('custom_check', { x: 1, y: 1 }, ctx({ a: { set: { x: 2, y: 2 } } }));
      assert.deepEqual(custom.result.modified_payload, { x: 2, y: 1 }, 'a custom hook gets a field policy');
      const post = await m.invokeHook('tool_post_invoke', { name: 'n', result: 1 }, ctx({ a: { set: { result: 2 } } }));
      assert.deepEqual(post.result.modified_payload, { name: 'n', result: 2 }, 'other hooks keep their defaults');
    }, { hookPolicies: { tool_pre_invoke: ['args'], custom_check: ['x'] } });
  });
});
