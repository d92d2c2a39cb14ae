/**
 * rate_limiter's sliding window and token bucket, as ContextForge's limiter (cpex-rate-limiter) counts them. Each
 * keeps a small state in the store and changes it by read, compute, then `swap` (compare and set), so a limit holds
 * across every worker and gateway that shares the store: a swap that loses to another request's reads again.
 * Self-contained for the sandbox (bundled into the plugin).
 */

export type Algorithm = 'fixed_window' | 'sliding_window' | 'token_bucket';

/** What one limit says of one request. Times are Unix seconds, as the X-RateLimit-* headers give them. */
export interface Decision {
  allowed: boolean;
  remaining: number;
  resetAt: number;
  /** seconds until a request would be let through, when this one is not */
  retryAfter: number | null;
}

export interface SwapStore {
  get(key: string): Promise<unknown> | unknown;
  swap(key: string, expected: unknown, value: unknown, ttlMs: number): Promise<boolean> | boolean;
}

/**
 * A sliding window keeps one time per request let through in its window, so its state grows with its limit: past
 * this many it would outgrow one store value (64 KB of JSON). The config refuses a larger sliding limit.
 */
export const SLIDING_WINDOW_MAX_LIMIT = 4000;
/**
 * How often a request reads again after losing a swap. Each round lets at least one racing request through, so a
 * burst of N requests on one key settles within N rounds; past this many the request is refused (never let
 * through unrecorded: fail_mode is for a store that cannot answer, not for one that is busy).
 */
const SWAP_ATTEMPTS = 1000;

type Step = (state: unknown, limit: number, windowMs: number, now: number) => { decision: Decision; next: unknown };

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The times (ms) of the requests let through within the window, oldest first. */
const sliding: Step = (state, limit, windowMs, now) => {
  const kept = Array.isArray((state as { t?: unknown } | null)?.t) ? (state as { t: unknown[] }).t : [];
  const times = kept.filter((t): t is number => typeof t === 'number' && t > now - windowMs);
  const oldest = times[0];
  const untilOldestLeaves = oldest === undefined ? null : oldest + windowMs - now;
  const resetAt = seconds(now) + seconds(untilOldestLeaves ?? windowMs);
  if (times.length < limit) {
    return { decision: { allowed: true, remaining: limit - times.length - 1, resetAt, retryAfter: null }, next: { t: [...times, now] } };
  }
  // a request refused is not recorded: only those let through fill the window
  const retryAfter = Math.max(1, untilOldestLeaves === null ? 1 : seconds(untilOldestLeaves));
  return { decision: { allowed: false, remaining: 0, resetAt, retryAfter }, next: { t: times } };
};

/**
 * A bucket of `limit` tokens refilled at `limit` per window, counted in thousandths of a token; each request takes
 * one. Refill is rounded down at each request, as ContextForge's is.
 */
const bucket: Step = (state, limit, windowMs, now) => {
  const capacity = limit * 1000;
  const s = state as { milli?: unknown; at?: unknown } | null;
  const valid = typeof s?.milli === 'number' && typeof s.at === 'number';
  let milli = valid ? Math.min(s.milli as number, capacity) : capacity;
  let at = valid ? (s.at as number) : now;
  const elapsed = Math.max(0, now - at);
  if (elapsed > 0) {
    milli = Math.min(capacity, milli + Math.floor((capacity * elapsed) / windowMs));
    at = now;
  }
  if (milli >= 1000) {
    milli -= 1000;
    const missing = capacity - milli;
    const refill = missing === 0 ? 0 : Math.max(1, seconds(Math.floor((missing * windowMs) / capacity)));
    return { decision: { allowed: true, remaining: Math.floor(milli / 1000), resetAt: seconds(now) + refill, retryAfter: null }, next: { milli, at } };
  }
  const untilToken = Math.max(1, Math.floor(((1000 - milli) * windowMs) / capacity));
  const retryAfter = Math.max(1, Math.ceil(untilToken / 1000));
  return { decision: { allowed: false, remaining: 0, resetAt: seconds(now) + retryAfter, retryAfter }, next: { milli, at } };
};

const STEPS: Record<Exclude<Algorithm, 'fixed_window'>, Step> = { sliding_window: sliding, token_bucket: bucket };

/**
 * Decides one request under one limit and records it. The state lives for one window after its last change: a
 * sliding window's times have all left by then, and a bucket idle that long is full, as an absent one is.
 */
export async function decide(
  store: SwapStore, key: string, algorithm: Exclude<Algorithm, 'fixed_window'>, limit: number, windowMs: number, now: number,
): Promise<Decision> {
  const step = STEPS[algorithm];
  for (let attempt = 0; attempt < SWAP_ATTEMPTS; attempt++) {
    const state = await store.get(key);
    const { decision, next } = step(state, limit, windowMs, now);
    if (JSON.stringify(next) === JSON.stringify(state ?? null)) return decision;
    if (await store.swap(key, state ?? null, next, windowMs)) return decision;
  }
  return { allowed: false, remaining: 0, resetAt: seconds(now) + 1, retryAfter: 1 };
}
