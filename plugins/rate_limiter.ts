import { decide } from './lib/rate-algorithms.js';
import { clockOrNull, localStore, parseRate, type CounterStore } from './lib/rate-counters.js';
import type { HookResult, Payload, PluginContext, RateLimiterConfig } from './schemas.js';

/**
 * Fixed-window rate limits per user, per tenant and per tool. Counting goes through the host's shared store (right
 * across every worker of the pool) when the runtime hands one over: as `grants.store` (the default export's second
 * argument) or as the global `store` of a sandbox compartment. Without it the plugin keeps its own counters, which
 * are per worker only and need the `clock` capability. Self-contained for the sandbox.
 */

const isStore = (candidate: Partial<CounterStore> | undefined): candidate is CounterStore =>
  typeof candidate?.incr === 'function' && typeof candidate.get === 'function' && typeof candidate.set === 'function';

/** A user's name as given (trimmed), or an object's first non-blank email, id or sub (a numeric id as its digits). */
function userOf(context: PluginContext | undefined): string | null {
  const user: unknown = context?.global_context?.user;
  const named = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value).trim() || null : null);
  if (user === null || typeof user !== 'object') return named(user);
  const fields = user as Record<string, unknown>;
  return named(fields.email) ?? named(fields.id) ?? named(fields.sub);
}

const tenantOf = (context: PluginContext | undefined) => context?.global_context?.tenant_id?.trim() || null;

interface Limit {
  dimension: 'user' | 'tenant' | 'tool';
  subject: string;
  rate: string;
}
/** A limit once this request is counted in it. */
interface Counted extends Limit {
  key: string;
  windowMs: number;
  max: number;
  count: number;
  /** when the limit lets the client back in (ms), when its algorithm says so itself (sliding window, token bucket) */
  end?: number;
}

export default (config: RateLimiterConfig, grants?: { store?: CounterStore }) => {
  const fallback = localStore();
  // Looked up on every call: a compartment's global may be endowed after the module is evaluated.
  const storeNow = (): CounterStore => {
    const global = (globalThis as { store?: Partial<CounterStore> }).store;
    return isStore(grants?.store) ? grants.store : isStore(global) ? global : fallback;
  };

  const foldName = (name: string) => (config.fold_tool_names ? name.trim().toLowerCase() : name);
  const byTool = new Map(Object.entries(config.by_tool).map(([tool, rate]) => [foldName(tool), rate]));
  // every rate the config names, read once rather than on every request
  const rates = new Map([config.by_user, config.by_tenant, ...Object.values(config.by_tool)]
    .filter((rate): rate is string => rate !== undefined).map((rate) => [rate, parseRate(rate)]));
  const limitsFor = (context: PluginContext | undefined, named: string | null): Limit[] => {
    const limits: Limit[] = [];
    const user = userOf(context) ?? config.anonymous_user;
    const tenant = tenantOf(context);
    const tool = named === null ? null : foldName(named);
    if (config.by_user && user) limits.push({ dimension: 'user', subject: user, rate: config.by_user });
    if (config.by_tenant && tenant) limits.push({ dimension: 'tenant', subject: tenant, rate: config.by_tenant });
    const toolRate = tool === null ? undefined : byTool.get(tool) ?? byTool.get('*');
    if (tool !== null && toolRate) limits.push({ dimension: 'tool', subject: tool, rate: toolRate });
    return limits;
  };
  /** With scope_by_tenant a tenant's counters are apart from every other's (its name length-prefixed, unambiguous). */
  const keyOf = (limit: Limit, context: PluginContext | undefined) => {
    const tenant = config.scope_by_tenant ? tenantOf(context) : null;
    return `${tenant ? `in:${tenant.length}:${tenant}:` : ''}${limit.dimension}:${limit.rate}:${limit.subject}`;
  };

  /**
   * When the window of a counted limit ends (ms), from the start its first request kept; a window whose start is
   * not known (kept by a worker that has not written it yet) is taken to end a whole window from now, the latest.
   */
  const windowEnd = async (store: CounterStore, key: string, windowMs: number, t: number): Promise<number> => {
    const start = Number(await store.get(`${key}:start`));
    return (Number.isFinite(start) && start > 0 ? start : t) + windowMs;
  };

  const check = async (context: PluginContext | undefined, tool: string | null): Promise<HookResult | undefined> => {
    const store = storeNow();
    const limits = limitsFor(context, tool);
    // ContextForge's says so when no limit applies to the request
    if (limits.length === 0) return config.violations === 'contextforge' ? { metadata: { limited: false } } : undefined;
    const t = clockOrNull();
    const algorithm = config.algorithm;
    if (algorithm !== 'fixed_window' && (t === null || typeof store.swap !== 'function')) {
      throw new Error(`rate_limiter: algorithm ${algorithm} needs the clock (capabilities.clock: true) and a store that can swap`);
    }
    // A fixed window counts every attempt in every dimension, blocked ones included, so a client hammering past its
    // limit stays limited; a sliding window records only what it lets through, a bucket spends only what it has.
    const counting = Promise.all(limits.map(async (limit): Promise<Counted> => {
      const { limit: max, windowMs } = rates.get(limit.rate)!;
      const key = keyOf(limit, context);
      if (algorithm !== 'fixed_window') {
        // the state of one algorithm is never read as another's: a config change starts afresh
        const d = await decide(store as Required<CounterStore>, `${algorithm}:${key}`, algorithm, max, windowMs, t!);
        // as a count, so blocks and headers read every algorithm alike: what is left, or one over when refused
        return { ...limit, key, windowMs, max, count: d.allowed ? max - d.remaining : max + 1, end: d.resetAt * 1000 };
      }
      const count = Number(await store.incr(key, windowMs));
      if (!Number.isFinite(count)) throw new Error(`rate_limiter: the store returned ${count} for ${key}`);
      // the request that opened a window notes when, so a block can say when the window ends
      if (count === 1 && t !== null) await store.set(`${key}:start`, t, windowMs);
      return { ...limit, key, windowMs, max, count };
    }));
    // A shared store that cannot answer is decided by fail_mode; the plugin's own counters cannot be unavailable.
    const counted = store === fallback ? await counting : await counting.catch((err: unknown) => String((err as Error)?.message ?? err).slice(0, 200));
    if (typeof counted === 'string') return unavailable(counted);
    const over = counted.filter((c) => c.count > c.max);
    return over.length > 0 ? blocked(store, counted, over, t, context) : passed(store, counted, t);
  };

  /** Seconds until a window ends (rounded up, as Retry-After is), at least one for a limit the request is over. */
  const secondsLeft = (end: number, t: number, over: boolean) => Math.max(over ? 1 : 0, Math.ceil((end - t) / 1000));

  /**
   * A request over one limit or more is refused with 429, the limit that lets the client back in soonest (as
   * ContextForge's chooses) in the X-RateLimit-* and Retry-After headers. ContextForge's details repeat its metadata:
   * who was counted and every limit, over or not, with what is left and when it resets; Cordon's name the limit.
   */
  const blocked = async (store: CounterStore, counted: Counted[], over: Counted[], t: number | null, context: PluginContext | undefined): Promise<HookResult> => {
    const contextforge = config.violations === 'contextforge';
    const ends = t === null ? null : await endsOf(store, contextforge ? counted : over, t);
    const endOf = (c: Counted) => ends?.get(c) ?? null;
    const hit = over.reduce((a, b) => ((endOf(b) ?? Infinity) < (endOf(a) ?? Infinity) ? b : a));
    const end = endOf(hit);
    const headers: Record<string, string> = { 'X-RateLimit-Limit': String(hit.max), 'X-RateLimit-Remaining': '0' };
    if (end !== null && t !== null) {
      headers['X-RateLimit-Reset'] = String(Math.ceil(end / 1000));
      headers['Retry-After'] = String(secondsLeft(end, t, true));
    }
    const dimension = (c: Counted) => {
      const e = endOf(c);
      const isOver = c.count > c.max;
      return { limited: true, remaining: isOver ? 0 : c.max - c.count, ...(e === null || t === null ? {} : { reset_in: secondsLeft(e, t, isOver) }) };
    };
    const allowed = counted.filter((c) => c.count <= c.max);
    const tenant = tenantOf(context);
    return {
      continue_processing: false,
      violation: {
        reason: 'Rate limit exceeded',
        description: contextforge ? 'Rate limit exceeded' : `${hit.dimension} ${hit.subject} is over its limit of ${hit.rate}`,
        code: contextforge ? 'RATE_LIMIT' : 'RATE_LIMITED',
        details: contextforge ? {
          ...dimension(hit),
          // ContextForge counts a request with no user as "anonymous"
          user_id: userOf(context) ?? config.anonymous_user ?? 'anonymous',
          ...(tenant ? { tenant_id: tenant } : {}),
          dimensions: { violated: over.map(dimension), ...(allowed.length > 0 ? { allowed: allowed.map(dimension) } : {}) },
        } : { dimension: hit.dimension, subject: hit.subject, limit: hit.rate, count: hit.count },
        http_status_code: 429,
        http_headers: headers,
      },
    };
  };

  /**
   * When each limit's window ends (ms); a window this request opened ends a whole window from now (no store read).
   * A store that cannot say leaves them all out (null).
   */
  const endsOf = (store: CounterStore, list: Counted[], t: number): Promise<Map<Counted, number> | null> =>
    Promise.all(list.map((c) => c.end ?? (c.count === 1 ? t + c.windowMs : windowEnd(store, c.key, c.windowMs, t))))
      .then((found) => new Map(list.map((c, i) => [c, found[i]!])), () => null);

  /**
   * A request let through is told where it stands, as ContextForge's limiter tells it: the most restrictive limit's
   * figures (the fewest requests left; the first of a tie) as `X-RateLimit-*` headers, with no Retry-After, and its
   * reset time when the clock is granted. ContextForge's metadata also lists every limit; Cordon's, what is left.
   */
  const passed = async (store: CounterStore, counted: Counted[], t: number | null): Promise<HookResult> => {
    const contextforge = config.violations === 'contextforge';
    const tightest = counted.reduce((a, b) => (b.max - b.count < a.max - a.count ? b : a));
    // when windows end: the tightest limit's for the Reset header, every limit's for ContextForge's metadata
    const ends = t === null ? null : await endsOf(store, contextforge ? counted : [tightest], t);
    const endOf = (c: Counted) => ends?.get(c) ?? null;
    const remaining = tightest.max - tightest.count;
    const headers: Record<string, string> = { 'X-RateLimit-Limit': String(tightest.max), 'X-RateLimit-Remaining': String(remaining) };
    const end = endOf(tightest);
    if (end !== null) headers['X-RateLimit-Reset'] = String(Math.ceil(end / 1000));
    if (!contextforge) return { metadata: { rate_limit_remaining: remaining }, http_headers: headers };
    const resetIn = (c: Counted) => {
      const e = endOf(c);
      return e === null || t === null ? {} : { reset_in: secondsLeft(e, t, false) };
    };
    return {
      metadata: {
        limited: true, remaining, ...resetIn(tightest),
        dimensions: { allowed: counted.map((c) => ({ limited: true, remaining: c.max - c.count, ...resetIn(c) })) },
      },
      http_headers: headers,
    };
  };

  /**
   * Open lets the request through and says why in its metadata. Closed refuses it; ContextForge's violation says only
   * that its backend is unavailable (its log has the error), Cordon's says what failed.
   */
  const unavailable = (error: string): HookResult => {
    const contextforge = config.violations === 'contextforge';
    if (config.fail_mode === 'open') return { metadata: { rate_limit_unavailable: true, rate_limit_error: error } };
    return {
      continue_processing: false,
      violation: {
        reason: contextforge ? 'Rate limiter backend unavailable' : 'Rate limit backend unavailable',
        description: contextforge ? 'Rate limiter backend unavailable; failing closed per fail_mode=closed'
          : 'the rate limiter could not count this request, and fail_mode is closed',
        code: 'BACKEND_UNAVAILABLE',
        details: contextforge ? {} : { error },
        http_status_code: 503,
        http_headers: { 'Retry-After': '1' },
      },
    };
  };

  return {
    tool_pre_invoke: (payload: Payload, context?: PluginContext) => check(context, String(payload.name)),
    prompt_pre_fetch: (payload: Payload, context?: PluginContext) => check(context, config.prompts_by_name ? String(payload.prompt_id) : null),
  };
};
