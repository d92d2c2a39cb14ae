import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PayloadSizeError, PluginManager } from '../../src/index.js';
import { configPath, ctx, ran, toolPayload, withManager } from '../helpers.js';
import { HOOK_SAMPLES, without } from './hook-samples.js';

describe('payloads: schemas, extra fields, custom hooks, size limit', () => {
  const manager = new PluginManager(configPath('payloads'));
  before(() => manager.initialize());
  after(() => manager.shutdown());

  // the watcher writes global state whenever it runs: an untouched state proves no plugin ran
  const watching = () => ctx({ watcher: { global_state: { touched: true } } });

  test('the watcher leaves its mark when it does run (the probe the other tests rely on)', async () => {
    const global = watching();
    await manager.invokeHook('tool_pre_invoke', toolPayload(), global);
    assert.equal((global.state as Record<string, unknown>).touched, true);
  });

  test('an invalid payload is rejected before any plugin runs, with the zod path in the message', async () => {
    const global = watching();
    await assert.rejects(manager.invokeHook<string>('tool_pre_invoke', { name: 'x', args: 'not an object' }, global), /args/);
    assert.deepEqual(global.state, {}, 'no plugin ran');
    await assert.rejects(manager.invokeHook<string>('tool_pre_invoke', { args: {} }, global), /name/);
    assert.deepEqual(global.state, {});
  });

  test('every hook of hooks.md has a schema: a valid payload runs, one missing a required field is rejected naming it', async () => {
    for (const { hook, payload, required } of HOOK_SAMPLES) {
      const { result } = await manager.invokeHook(hook, payload, ctx());
      assert.deepEqual(ran(result.metadata), ['watcher'], hook);
      const global = watching();
      await assert.rejects(manager.invokeHook(hook, without(payload, required), global), new RegExp(required), `${hook} without ${required}`);
      assert.deepEqual(global.state, {}, hook);
    }
  });

  test('a nested invalid field is reported with its full path', async () => {
    const global = watching();
    const payload = { prompt_id: 'p', result: { messages: [{ role: 'user', content: 'hi' }, { content: 'no role' }] } };
    await assert.rejects(manager.invokeHook<string>('prompt_post_fetch', payload, global), (err: Error) => {
      assert.match(err.message, /result/);
      assert.match(err.message, /messages/);
      assert.match(err.message, /1/);
      assert.match(err.message, /role/);
      return true;
    });
    const agent = { agent_id: 'a', messages: [], parameters: {}, tools: ['ok', 3] };
    await assert.rejects(manager.invokeHook<string>('agent_pre_invoke', agent, global), /tools/);
    assert.deepEqual(global.state, {});
  });

  test('unknown extra fields are kept: plugins see them and they survive a merge', async () => {
    const payload = { ...toolPayload('lookup', { q: 1 }), trace_id: 'abc', extra: { nested: [1, 2] } };
    const { result } = await manager.invokeHook('tool_pre_invoke', payload, ctx({ watcher: { echo: true, trail: true } }));
    const seen = (result.metadata.seen_watcher as { payload: Record<string, unknown> }).payload;
    assert.equal(seen.trace_id, 'abc');
    assert.deepEqual(seen.extra, { nested: [1, 2] });
    assert.deepEqual(result.modified_payload, { ...payload, args: { q: 1, trail: ['watcher'] } });
  });

  test('a custom hook name takes any JSON object, and only an object', async () => {
    const payload = { anything: [1, 'two', { three: 3 }], deep: { er: true } };
    const { result } = await manager.invokeHook('custom_check', payload, ctx({ watcher: { echo: true } }));
    assert.deepEqual((result.metadata.seen_watcher as { payload: unknown }).payload, payload);
    const global = watching();
    await assert.rejects(manager.invokeHook<string>('custom_check', [1, 2], global));
    await assert.rejects(manager.invokeHook<string>('custom_check', 'a string', global));
    assert.deepEqual(global.state, {});
  });

  test('a payload over max_payload_bytes fails with PayloadSizeError naming size and limit, and no plugin sees it', async () => {
    const payload = toolPayload('lookup', { text: 'x'.repeat(400) });
    const size = Buffer.byteLength(JSON.stringify(payload));
    const global = watching();
    await assert.rejects(manager.invokeHook('tool_pre_invoke', payload, global), (err: Error) => {
      assert.ok(err instanceof PayloadSizeError, `got ${err.name}`);
      assert.match(err.message, new RegExp(`\\b${size}\\b`));
      assert.match(err.message, /\b300\b/);
      return true;
    });
    assert.deepEqual(global.state, {});
  });

  test('invokeHookForPlugin holds the caller\'s payload to the same limit', async () => {
    const global = watching();
    await assert.rejects(manager.invokeHookForPlugin('watcher', 'tool_pre_invoke', toolPayload('lookup', { text: 'x'.repeat(400) }), global), PayloadSizeError);
    assert.deepEqual(global.state, {}, 'no plugin ran');
  });

  test('the size is measured in UTF-8 bytes of the JSON, not in characters', async () => {
    const payload = toolPayload('l', { text: 'é'.repeat(150) }); // about 180 characters, about 330 bytes
    assert.ok(JSON.stringify(payload).length < 300 && Buffer.byteLength(JSON.stringify(payload)) > 300);
    await assert.rejects(manager.invokeHook('tool_pre_invoke', payload, watching()), PayloadSizeError);
    const small = toolPayload('l', { text: 'e'.repeat(150) });
    const global = watching();
    await manager.invokeHook('tool_pre_invoke', small, global);
    assert.equal((global.state as Record<string, unknown>).touched, true, 'a payload under the limit runs');
  });
});

test('payloads: max_payload_bytes defaults to 1,000,000 bytes', async () => {
  await withManager(configPath('basic'), async (m) => {
    const sized = (bytes: number) => {
      const payload = toolPayload('big', { s: '' });
      payload.args.s = 'a'.repeat(bytes - Buffer.byteLength(JSON.stringify(payload)));
      return payload;
    };
    await m.invokeHook('tool_pre_invoke', sized(1_000_000), ctx());
    await assert.rejects(m.invokeHook('tool_pre_invoke', sized(1_000_001), ctx()), (err: Error) => err instanceof PayloadSizeError && /1000001/.test(err.message));
  });
});
