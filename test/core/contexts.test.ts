import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PluginError, PluginManager } from '../../src/index.js';
import { configPath, ctx, ran, toolPayload } from '../helpers.js';

type Seen = { payload: Record<string, unknown>; global_state: Record<string, unknown>; local_state: Record<string, unknown> };
const seen = (metadata: Record<string, unknown>, tag: string) => metadata[`seen_${tag}`] as Seen;
type State = Record<string, unknown>;

describe('contexts: copies, global merges and local state', () => {
  const manager = new PluginManager(configPath('contexts'));
  before(() => manager.initialize());
  after(() => manager.shutdown());

  test('a plugin mutating its payload in place reaches neither the next plugin nor the caller', async () => {
    const payload = toolPayload('t', { inner: { v: 1 } });
    const snapshot = structuredClone(payload);
    const { result } = await manager.invokeHook('tool_pre_invoke', payload, ctx({ c1: { mutate: true }, c4: { echo: true } }));
    assert.deepEqual(seen(result.metadata, 'c4').payload, snapshot);
    assert.deepEqual(payload, snapshot);
    assert.equal(result.modified_payload, null, 'an in-place change is not a modification');
  });

  test('the caller\'s payload object is never mutated, whatever the plugins do and return', async () => {
    const payload = { name: 'deep', args: { list: [{ a: 1 }, { b: [2, 3] }], obj: { x: { y: 'z' } } }, headers: { h: 'v' } };
    const snapshot = structuredClone(payload);
    const script = {
      c1: { mutate: true, trail: true },
      c2: { mutate: true, set: { args: { replaced: true } } },
      c3: { mutate: true, block: { reason: 'r', description: 'd', code: 'C' } },
      c4: { mutate: true, trail: true, block: true },
    };
    const { result } = await manager.invokeHook('tool_pre_invoke', payload, ctx(script));
    assert.deepEqual(payload, snapshot);
    assert.notEqual(result.modified_payload, payload);
    const failing = { ...script, c4: { throw: 'late failure' } };
    await assert.rejects(manager.invokeHook('tool_pre_invoke', payload, ctx(failing)), PluginError);
    assert.deepEqual(payload, snapshot);
  });

  test('global state and metadata merge for enforce and enforce_ignore_error, later wins; permissive changes are discarded', async () => {
    const global = ctx({
      c1: { global_state: { from_c1: 1, shared: 'c1' }, global_metadata: { m1: 'one' } },
      c2: { global_state: { from_c2: 2, shared: 'c2' }, global_metadata: { m2: 'two' } },
      c3: { global_state: { from_c3: 3, shared: 'c3' }, global_metadata: { m3: 'three' } },
      c4: { echo: true },
    }, { state: { pre: 0 } });
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), global);
    assert.deepEqual(global.state, { pre: 0, from_c1: 1, from_c2: 2, shared: 'c2' });
    const metadata = global.metadata as State;
    assert.equal(metadata.m1, 'one');
    assert.equal(metadata.m2, 'two');
    assert.equal(metadata.m3, undefined);
    assert.deepEqual(seen(result.metadata, 'c4').global_state, { pre: 0, from_c1: 1, from_c2: 2, shared: 'c2' }, 'the next plugin sees the merged state');
  });

  test('a permissive plugin mutating its global copy in place reaches neither the next plugin nor the caller', async () => {
    const nested = { v: 1 };
    const global = ctx({ c3: { mutate: true }, c4: { echo: true } }, { state: { nested } });
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), global);
    assert.deepEqual(global.state, { nested: { v: 1 } });
    assert.deepEqual(seen(result.metadata, 'c4').global_state, { nested: { v: 1 } });
  });

  test('an enforce plugin\'s global changes arrive by a shallow merge: the caller\'s nested objects are not mutated in place', async () => {
    const nested = { v: 1 };
    const global = ctx({ c1: { mutate: true } }, { state: { nested } });
    await manager.invokeHook('tool_pre_invoke', toolPayload(), global);
    assert.deepEqual(nested, { v: 1 }, 'the object the caller holds is untouched');
    assert.deepEqual((global.state as State).nested, { v: 1, mutated_by: 'c1' }, 'the merged copy replaced it');
  });

  test('merges already made stay when a later plugin raises', async () => {
    const global = ctx({ c1: { global_state: { kept: true } }, c4: { throw: 'c4 fails' } });
    await assert.rejects(manager.invokeHook('tool_pre_invoke', toolPayload(), global), PluginError);
    assert.equal((global.state as State).kept, true);
  });

  test('the context table has an entry per plugin that ran, failed ones included, keyed by request_id then plugin id', async () => {
    const global = ctx({ c2: { throw: 'ignored failure' } });
    const { contexts } = await manager.invokeHook('tool_pre_invoke', toolPayload(), global);
    assert.ok(contexts);
    const keys = Object.keys(contexts);
    assert.equal(keys.length, 4);
    assert.equal(new Set(keys).size, 4);
    for (const key of keys) assert.ok(key.startsWith(global.request_id) && key.length > global.request_id.length, key);
  });

  test('local state survives from tool_pre_invoke to tool_post_invoke when the table is passed back', async () => {
    const pre = ctx({ c1: { local: { token: 'abc' } }, c3: { local: { seen_pre: true } } });
    const { contexts } = await manager.invokeHook('tool_pre_invoke', toolPayload(), pre);
    const echo = { c1: { echo: true }, c3: { echo: true }, c4: { echo: true } };
    const post = { ...ctx(echo), request_id: pre.request_id };
    const { result } = await manager.invokeHook('tool_post_invoke', { name: 'lookup', result: 1 }, post, { localContexts: contexts });
    assert.deepEqual(seen(result.metadata, 'c1').local_state, { token: 'abc' });
    assert.deepEqual(seen(result.metadata, 'c3').local_state, { seen_pre: true });
    assert.deepEqual(seen(result.metadata, 'c4').local_state, {}, 'each plugin has its own local state');
    assert.deepEqual(ran(result.metadata), ['c1', 'c2', 'c3', 'c4']);
  });

  test('without the table, or for another request, local state starts empty', async () => {
    const pre = ctx({ c1: { local: { token: 'abc' } } });
    const { contexts } = await manager.invokeHook('tool_pre_invoke', toolPayload(), pre);
    const fresh = await manager.invokeHook('tool_post_invoke', { name: 'l', result: 1 }, { ...ctx({ c1: { echo: true } }), request_id: pre.request_id });
    assert.deepEqual(seen(fresh.result.metadata, 'c1').local_state, {});
    const other = await manager.invokeHook('tool_post_invoke', { name: 'l', result: 1 }, ctx({ c1: { echo: true } }), { localContexts: contexts });
    assert.deepEqual(seen(other.result.metadata, 'c1').local_state, {}, 'the table is keyed by request_id');
  });
});
