import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MEMORY_STORE_MAX_KEYS, MemoryStore } from '../../src/runtime/store.js';

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
