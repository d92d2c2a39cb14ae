import type { HookResult, Payload, PluginContext, RateLimiterConfig } from './schemas.js';

/**
 * Fixed-window rate limits per user, per tenant and per tool. Counting goes through the host's shared store (right
 * across every worker of the pool) when the runtime hands one over: as `grants.store` (the default export's second
 * argument) or as the global `store` of a sandbox compartment. Without it the plugin keeps its own counters, which
 * are per worker only and need the `clock` capability. Self-contained for the sandbox.
 */

/**
 * The shared store as this plugin uses it: `incr` adds one to `key` and returns the new count; the first increment
 * of a key (or the first after its window ran out) starts a window of `windowMs`, after which the key counts from
 * zero again. It must be atomic across workers.
 */
interface CounterStore {
  incr(key: string, windowMs: number): Promise<number> | number;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SWEEP_AT = 10_000;

/** "60/m" -> 60 per 60 000 ms; "500/10s" -> 500 per 10 000 ms (the config schema has checked the format). */
function parseRate(rate: string): { limit: number; windowMs: number } {
  const [count, per = 'm'] = rate.split('/');
  return { limit: Number(count), windowMs: Number(per.slice(0, -1) || 1) * UNIT_MS[per.slice(-1)]! };
}

function now(): number {
  try {
    return Date.now();
  } catch {
    throw new Error('rate_limiter: no shared store is available and the clock is not granted (set capabilities.clock: true)');
  }
}

/** Counters of this plugin instance only; expired windows are swept once the map grows, so it stays bounded. */
function localStore(): CounterStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    incr(key, windowMs) {
      const t = now();
      if (windows.size >= SWEEP_AT) for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
      const current = windows.get(key);
      const next = current && current.resetAt > t ? { ...current, count: current.count + 1 } : { count: 1, resetAt: t + windowMs };
      windows.set(key, next);
      return next.count;
    },
  };
}

const isStore = (candidate: Partial<CounterStore> | undefined): candidate is CounterStore => typeof candidate?.incr === 'function';

function userOf(context: PluginContext | undefined): string | null {
  const user = context?.global_context?.user;
  if (typeof user === 'string') return user || null;
  const id = user?.email ?? user?.id;
  return typeof id === 'string' && id !== '' ? id : null;
}

interface Limit {
  dimension: 'user' | 'tenant' | 'tool';
  subject: string;
  rate: string;
}

export default (config: RateLimiterConfig, grants?: { store?: CounterStore }) => {
  const fallback = localStore();
  // Looked up on every call: a compartment's global may be endowed after the module is evaluated.
  const storeNow = (): CounterStore => {
    const global = (globalThis as { store?: Partial<CounterStore> }).store;
    return isStore(grants?.store) ? grants.store : isStore(global) ? global : fallback;
  };

  const limitsFor = (context: PluginContext | undefined, tool: string | null): Limit[] => {
    const limits: Limit[] = [];
    const user = userOf(context);
    const tenant = context?.global_context?.tenant_id;
    if (config.by_user && user) limits.push({ dimension: 'user', subject: user, rate: config.by_user });
    if (config.by_tenant && tenant) limits.push({ dimension: 'tenant', subject: tenant, rate: config.by_tenant });
    const toolRate = tool === null ? undefined : (Object.hasOwn(config.by_tool, tool) ? config.by_tool[tool] : config.by_tool['*']);
    if (tool !== null && toolRate) limits.push({ dimension: 'tool', subject: tool, rate: toolRate });
    return limits;
  };

  const check = async (context: PluginContext | undefined, tool: string | null): Promise<HookResult | undefined> => {
    const store = storeNow();
    const limits = limitsFor(context, tool);
    if (limits.length === 0) return undefined;
    // Every attempt counts in every dimension, blocked ones included, so a client hammering past its limit stays limited.
    const counting = Promise.all(limits.map(async (limit) => {
      const { limit: max, windowMs } = parseRate(limit.rate);
      const key = `${limit.dimension}:${limit.rate}:${limit.subject}`;
      const count = Number(await store.incr(key, windowMs));
      if (!Number.isFinite(count)) throw new Error(`rate_limiter: the store returned ${count} for ${key}`);
      return { ...limit, max, count };
    }));
    // A shared store that cannot answer is decided by fail_mode; the plugin's own counters cannot be unavailable.
    const counted = store === fallback ? await counting : await counting.catch((err: unknown) => String((err as Error)?.message ?? err).slice(0, 200));
    if (typeof counted === 'string') return unavailable(counted);
    const over = counted.find((c) => c.count > c.max);
    if (over) {
      return {
        continue_processing: false,
        violation: {
          reason: 'Rate limit exceeded',
          description: `${over.dimension} ${over.subject} is over its limit of ${over.rate}`,
          code: config.violations === 'contextforge' ? 'RATE_LIMIT' : 'RATE_LIMITED',
          details: { dimension: over.dimension, subject: over.subject, limit: over.rate, count: over.count },
        },
      };
    }
    const remaining = Math.min(...counted.map((c) => c.max - c.count));
    return { metadata: { rate_limit_remaining: remaining } };
  };

  const unavailable = (error: string): HookResult => config.fail_mode === 'closed' ? {
    continue_processing: false,
    violation: {
      reason: 'Rate limit backend unavailable',
      description: 'the rate limiter could not count this request, and fail_mode is closed',
      code: 'BACKEND_UNAVAILABLE',
      details: { error },
      http_status_code: 503,
      http_headers: { 'Retry-After': '1' },
    },
  } : { metadata: { rate_limit_unavailable: true, rate_limit_error: error } };

  return {
    tool_pre_invoke: (payload: Payload, context?: PluginContext) => check(context, String(payload.name)),
    prompt_pre_fetch: (_payload: Payload, context?: PluginContext) => check(context, null),
  };
};
