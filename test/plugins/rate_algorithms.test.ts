import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, type Algorithm } from '../../plugins/lib/rate-algorithms.js';
import { MemoryStore } from '../../src/runtime/store.js';

// The sliding window and token bucket on their own, over the in-memory store, at times given by hand (ms).
const T0 = 1_800_000_000_000; // a whole second
const run = (store: MemoryStore, algorithm: Exclude<Algorithm, 'fixed_window'>, limit: number, windowMs: number) =>
  (at: number) => decide(store, 'k', algorithm, limit, windowMs, T0 + at);

describe('rate_limiter sliding window', () => {
  it('lets `limit` requests through in any window, refuses the next until the oldest leaves, and records only those let through', async () => {
    const at = run(new MemoryStore(), 'sliding_window', 3, 10_000);
    assert.deepEqual(await at(0), { allowed: true, remaining: 2, resetAt: T0 / 1000 + 10, retryAfter: null });
    assert.equal((await at(4_000)).remaining, 1);
    assert.deepEqual(await at(4_500), { allowed: true, remaining: 0, resetAt: T0 / 1000 + 4 + 5, retryAfter: null });
    assert.deepEqual(await at(6_000), { allowed: false, remaining: 0, resetAt: T0 / 1000 + 6 + 4, retryAfter: 4 });
    assert.equal((await at(9_999)).allowed, false);
    // the first request left at 10 000: one place is free, and the refused ones took none
    assert.deepEqual(await at(10_000), { allowed: true, remaining: 0, resetAt: T0 / 1000 + 10 + 4, retryAfter: null });
    assert.equal((await at(10_001)).allowed, false);
  });

  it('does not let a burst through at a window edge, as a fixed window would', async () => {
    const at = run(new MemoryStore(), 'sliding_window', 2, 1_000);
    assert.equal((await at(900)).allowed, true);
    assert.equal((await at(950)).allowed, true);
    assert.equal((await at(1_050)).allowed, false, 'a fixed window starting at 1 000 would let this through');
    assert.equal((await at(1_901)).allowed, true);
  });
});

describe('rate_limiter token bucket', () => {
  it('starts full, spends a token a request, and refills `limit` tokens a window, rounded down at each request', async () => {
    const at = run(new MemoryStore(), 'token_bucket', 4, 8_000); // a token every 2 s
    assert.deepEqual(await at(0), { allowed: true, remaining: 3, resetAt: T0 / 1000 + 2, retryAfter: null });
    for (const remaining of [2, 1, 0]) assert.equal((await at(0)).remaining, remaining);
    assert.deepEqual(await at(500), { allowed: false, remaining: 0, resetAt: T0 / 1000 + 2, retryAfter: 2 });
    assert.deepEqual(await at(2_000), { allowed: true, remaining: 0, resetAt: T0 / 1000 + 2 + 8, retryAfter: null });
    // idle for longer than a window: full again, never more
    assert.deepEqual(await at(60_000), { allowed: true, remaining: 3, resetAt: T0 / 1000 + 60 + 2, retryAfter: null });
  });

  it('says when the bucket is full again after a request, and when the next token comes after a refusal', async () => {
    const at = run(new MemoryStore(), 'token_bucket', 1, 3_000);
    const first = await at(0);
    assert.equal(first.resetAt, T0 / 1000 + 3);
    const refused = await at(1_000);
    assert.equal(refused.retryAfter, 3, '667 thousandths missing at 1 per 3 s: 2.001 s, rounded up');
    assert.ok(refused.resetAt > T0 / 1000 + 1, 'a reset strictly after now');
  });
});

describe('rate_limiter read-modify-write', () => {
  it('holds the limit when a burst races on the same state: a lost swap reads again, however many race', async () => {
    const store = new MemoryStore();
    for (const algorithm of ['sliding_window', 'token_bucket'] as const) {
      const results = await Promise.all(Array.from({ length: 200 }, () => decide(store, algorithm, algorithm, 150, 60_000, T0)));
      assert.equal(results.filter((r) => r.allowed).length, 150, algorithm);
    }
  });
});
