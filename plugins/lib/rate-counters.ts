/**
 * rate_limiter's counters: the shared store's interface as the plugin uses it, and the per-instance fallback it
 * keeps when the runtime hands over no store. Self-contained for the sandbox (bundled into the plugin).
 */

/**
 * The shared store as this plugin uses it: `incr` adds one to `key` and returns the new count; the first increment
 * of a key (or the first after its window ran out) starts a window of `windowMs`, after which the key counts from
 * zero again. It must be atomic across workers. `get` and `set` keep when each window started, for the reset time
 * a block reports.
 */
export interface CounterStore {
  incr(key: string, windowMs: number): Promise<number> | number;
  get(key: string): Promise<unknown> | unknown;
  set(key: string, value: unknown, ttlMs: number): Promise<void> | void;
  /** compare and set, atomic (the sliding window and the token bucket: lib/rate-algorithms.ts) */
  swap?(key: string, expected: unknown, value: unknown, ttlMs: number): Promise<boolean> | boolean;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SWEEP_AT = 10_000;

/** "60/m" -> 60 per 60 000 ms; "500/10s" -> 500 per 10 000 ms (the config schema has checked the format). */
export function parseRate(rate: string): { limit: number; windowMs: number } {
  const [count, per = 'm'] = rate.split('/');
  return { limit: Number(count), windowMs: Number(per.slice(0, -1) || 1) * UNIT_MS[per.slice(-1)]! };
}

export function now(): number {
  try {
    return Date.now();
  } catch {
    throw new Error('rate_limiter: no shared store is available and the clock is not granted (set capabilities.clock: true)');
  }
}

/** The time, when the clock is granted: without it a block reports no reset time. */
export function clockOrNull(): number | null {
  try {
    return Date.now();
  } catch {
    return null;
  }
}

/** Counters of this plugin instance only; expired windows are swept once the map grows, so it stays bounded. */
export function localStore(): CounterStore {
  const entries = new Map<string, { value: unknown; expires: number }>();
  const live = (key: string, t: number) => {
    const entry = entries.get(key);
    return entry && entry.expires > t ? entry : undefined;
  };
  const put = (key: string, value: unknown, ttlMs: number, t: number) => {
    if (entries.size >= SWEEP_AT) for (const [k, e] of entries) if (e.expires <= t) entries.delete(k);
    entries.set(key, { value, expires: t + ttlMs });
  };
  return {
    incr(key, windowMs) {
      const t = now();
      const current = live(key, t);
      const count = (current ? Number(current.value) : 0) + 1;
      if (current) current.value = count;
      else put(key, count, windowMs, t);
      return count;
    },
    get: (key) => live(key, now())?.value ?? null,
    set: (key, value, ttlMs) => put(key, value, ttlMs, now()),
    swap(key, expected, value, ttlMs) {
      const t = now();
      if (JSON.stringify(live(key, t)?.value ?? null) !== JSON.stringify(expected ?? null)) return false;
      put(key, value, ttlMs, t);
      return true;
    },
  };
}

