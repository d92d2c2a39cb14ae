import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RedisStore, StoreUnavailableError } from '../../src/index.js';
import { STORE_VALUE_MAX_BYTES } from '../../src/core/store-protocol.js';
import { freePort } from '../helpers.js';
import { cleanPrefix, MACHINE_REDIS, rawClient, testPrefix } from './redis.js';

// The store's semantics against the machine's Redis, under a prefix of this run's own. Keys reach a Store as the
// store layer builds them: `<plugin>\0<the plugin's key>`.
const key = (plugin: string, own: string) => `${plugin}\u0000${own}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the Redis store', () => {
  const prefix = testPrefix('store');
  let store: RedisStore;
  let other: RedisStore;
  const connect = () => RedisStore.connect({ url: MACHINE_REDIS, keyPrefix: prefix, connectTimeoutMs: 2000, commandTimeoutMs: 1000 });

  before(async () => {
    store = await connect();
    other = await connect();
  });
  after(async () => {
    await store.close();
    await other.close();
    await cleanPrefix(prefix);
  });

  test('keys are <key_prefix>:<plugin>:<key>, and a counter is a number in Redis', async () => {
    assert.equal(await store.incr(key('rl', 'user:alice'), 60_000), 1);
    const raw = await rawClient();
    try {
      assert.equal(await raw.get(`${prefix}:rl:user:alice`), '1');
    } finally {
      raw.destroy();
    }
  });

  test('incr: the window starts at the first hit, later hits do not extend it, and a new window starts afterwards', async () => {
    const k = key('rl', 'window');
    assert.equal(await store.incr(k, 400), 1);
    await sleep(150);
    assert.equal(await store.incr(k, 400), 2);
    const raw = await rawClient();
    try {
      const left = await raw.pTTL(`${prefix}:rl:window`);
      assert.ok(left > 0 && left <= 260, `the second hit must not restart the window (${left} ms left)`);
    } finally {
      raw.destroy();
    }
    await sleep(300);
    assert.equal(await store.incr(k, 400), 1, 'the window ran out: counting starts again');
  });

  test('incr is atomic across stores: 200 concurrent increments from two connections give 1..200 once each', async () => {
    const k = key('rl', 'race');
    const values = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? store : other).incr(k, 60_000)));
    assert.deepEqual(values.sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1));
  });

  test('incr adds `by` (fractional too), and a value that is not a number counts from zero, as in memory', async () => {
    assert.equal(await store.incr(key('p', 'by'), 60_000, 5), 5);
    assert.equal(await store.incr(key('p', 'by'), 60_000, 0.5), 5.5);
    await store.set(key('p', 'text'), 'not a number');
    assert.equal(await store.incr(key('p', 'text'), 60_000), 1);
  });

  test('get/set/delete keep JSON values; a missing key reads null', async () => {
    const values: unknown[] = [{ a: [1, 'two', { three: null }], b: true }, [1, 2], 'text', 42, 1.5, false, null, { 'uni\u00e7ode': '\u2603' }];
    for (const [i, value] of values.entries()) {
      await store.set(key('p', `v${i}`), value);
      assert.deepEqual(await other.get(key('p', `v${i}`)), value);
    }
    assert.equal(await store.get(key('p', 'missing')), null);
    await store.delete(key('p', 'v0'));
    assert.equal(await store.get(key('p', 'v0')), null);
    await store.delete(key('p', 'never-there'));
  });

  test('set with a ttl expires; without one it stays', async () => {
    await store.set(key('p', 'short'), { x: 1 }, 100);
    await store.set(key('p', 'long'), { x: 2 });
    assert.deepEqual(await store.get(key('p', 'short')), { x: 1 });
    await sleep(200);
    assert.equal(await store.get(key('p', 'short')), null);
    assert.deepEqual(await store.get(key('p', 'long')), { x: 2 });
  });

  test('values are bounded both ways, and what is not JSON is a clear error', async () => {
    await assert.rejects(store.set(key('p', 'big'), 'x'.repeat(STORE_VALUE_MAX_BYTES)), /at most 65536 bytes/);
    const raw = await rawClient();
    try {
      await raw.set(`${prefix}:p:garbage`, '{not json');
      await raw.set(`${prefix}:p:huge`, 'x'.repeat(STORE_VALUE_MAX_BYTES + 1));
    } finally {
      raw.destroy();
    }
    await assert.rejects(store.get(key('p', 'garbage')), /is not JSON/);
    await assert.rejects(store.get(key('p', 'huge')), /at most 65536 bytes/);
  });

  test('swap writes only over the value it was told (absent: null), with its expiry, atomically across stores', async () => {
    const k = key('rl', 'bucket');
    assert.equal(await store.swap(k, null, { tokens: 5, at: 1 }), true);
    assert.equal(await store.swap(k, { tokens: 4, at: 1 }, { tokens: 3, at: 2 }), false, 'a stale read loses');
    assert.equal(await other.swap(k, { tokens: 5, at: 1 }, { tokens: 4, at: 2 }, 300), true, 'what another store wrote reads back equal');
    assert.deepEqual(await store.get(k), { tokens: 4, at: 2 });
    // 50 swaps of the same read at once, from two connections: exactly one wins
    const seen = await store.get(k);
    const wins = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? other : store).swap(k, seen, { tokens: 0, by: i })));
    assert.equal(wins.filter(Boolean).length, 1);
    await sleep(350);
    assert.ok(await store.get(k) !== null, 'a swap without a TTL keeps the value');
    const t = key('rl', 'short');
    assert.equal(await store.swap(t, null, 1, 100), true);
    await sleep(200);
    assert.equal(await store.get(t), null, 'a swap with a TTL expires');
  });

  test('an error Redis answers with is a plain error, not "unavailable"', async () => {
    const raw = await rawClient();
    try {
      await raw.hSet(`${prefix}:p:hash`, 'f', 'v');
    } finally {
      raw.destroy();
    }
    const err = await store.incr(key('p', 'hash'), 1000).then(() => null, (e: Error) => e);
    assert.ok(err && !(err instanceof StoreUnavailableError), String(err));
    assert.match(err!.message, /WRONGTYPE/);
  });

  test('a plugin name holding ":" is refused: it could reach another plugin\'s keys', async () => {
    await assert.rejects(store.get(key('a:b', 'c')), /holds ':'/);
  });

  test('a closed store rejects with StoreUnavailableError', async () => {
    const closing = await connect();
    await closing.close();
    await assert.rejects(closing.get(key('p', 'x')), StoreUnavailableError);
  });
});

test('connecting where nothing listens fails within connect_timeout_ms, naming the server but not its password', async () => {
  const port = await freePort();
  const t0 = performance.now();
  const err = await RedisStore.connect({ url: `redis://:s3cret@127.0.0.1:${port}`, keyPrefix: 'x', connectTimeoutMs: 300, commandTimeoutMs: 300 })
    .then(() => null, (e: Error) => e);
  const elapsed = performance.now() - t0;
  assert.ok(err instanceof StoreUnavailableError, String(err));
  assert.equal(err.name, 'StoreUnavailableError');
  assert.equal(err.code, 'STORE_UNAVAILABLE');
  assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}.*within 300 ms`));
  assert.doesNotMatch(err.message, /s3cret/);
  // the first connect also loads the client module (slow on a busy machine); the bound is on the connection
  assert.ok(elapsed < 300 + 3000, `${elapsed} ms`);
});
