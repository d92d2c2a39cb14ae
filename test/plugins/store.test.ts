import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MEMORY_STORE_MAX_KEYS, MemoryStore } from '../../src/runtime/store.js';
import { StoreGate } from '../../src/runtime/store-gate.js';

test('the in-memory store counts with expiry, and refuses to grow past its key limit', async () => {
  const store = new MemoryStore();
  assert.equal(await store.incr('k', 50), 1);
  assert.equal(await store.incr('k', 50), 2);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(await store.incr('k', 50), 1, 'a counter starts afresh once its window expired');
  await store.delete('k');
  await store.set('short', 1, 1);
  await new Promise((resolve) => setTimeout(resolve, 5));
  for (let i = 1; i < MEMORY_STORE_MAX_KEYS; i++) await store.set(`key${i}`, i);
  await store.set('swept-in', 1); // the expired key made room
  await assert.rejects(store.set('one-too-many', 1), /store is full/);
  assert.equal(await store.incr('key2', 60_000), 3, 'existing keys keep working when full');
  await store.delete('key1');
  await store.set('one-too-many', 1);
  assert.equal(await store.get('one-too-many'), 1);
});

test('the in-memory store swaps only what it still holds: absent is null, equal is equal as JSON', async () => {
  const store = new MemoryStore();
  assert.equal(await store.swap('bucket', null, { tokens: 4, at: 10 }), true, 'an absent key is swapped from null');
  assert.equal(await store.swap('bucket', null, { tokens: 9, at: 0 }), false, 'a present key is not null');
  assert.equal(await store.swap('bucket', { tokens: 3, at: 10 }, { tokens: 2, at: 11 }), false, 'a stale read loses');
  assert.equal(await store.swap('bucket', { tokens: 4, at: 10 }, { tokens: 3, at: 12 }, 40), true);
  assert.deepEqual(await store.get('bucket'), { tokens: 3, at: 12 });
  await new Promise((resolve) => setTimeout(resolve, 70));
  assert.equal(await store.swap('bucket', null, [1]), true, 'the value expired with the TTL of its swap');
});

test("a plugin's swap goes through the gate: its own keys, plain data only, bounded, and charged to its quota", async () => {
  const backend = new MemoryStore();
  const gate = new StoreGate(backend, { keys: 2, bytes: 10_000, valueBytes: 64 });
  const a = gate.forPlugin('a');
  const b = gate.forPlugin('b');
  assert.equal(await a.swap('k', null, { n: 1 }), true);
  assert.equal(await b.swap('k', null, { n: 2 }), true, "b's key k is not a's");
  assert.deepEqual(await a.get('k'), { n: 1 });
  await assert.rejects(a.swap('k', { n: 1 }, new Map()), /store swap: a value is plain JSON data/);
  await assert.rejects(a.swap('k', { n: 1 }, 'x'.repeat(100)), /store swap: the value is 102 bytes of JSON, over the limit of 64/);
  await assert.rejects(a.swap('k', 'y'.repeat(100), 1), /over the limit of 64/, 'what it compares with is bounded too');
  assert.equal(await a.swap('k2', null, 1), true);
  await assert.rejects(a.swap('k3', null, 1), /over its quota \(2 keys/);
  assert.deepEqual(await a.get('k'), { n: 1 }, 'a refused swap writes nothing');
});
