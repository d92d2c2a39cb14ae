import { randomUUID } from 'node:crypto';
import { MemoryStore, RedisStore, type Store } from '../src/index.js';
import type { Scenario } from './scenario.js';

/**
 * What a counted request costs in each store: one `incr` as a rate limiter issues it (a key per user, a one-minute
 * window), in the manager's memory and in Redis (one EVALSHA round trip over loopback), called on the store directly
 * so the figure is the store's alone. Redis is the machine's (CORDON_BENCH_REDIS_URL, default 127.0.0.1:6379), under
 * a key prefix of this run's own that is removed afterwards.
 */

const REDIS_URL = process.env.CORDON_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const USERS = 1000;
const WINDOW_MS = 60_000;

export const storeVariant = (kind: 'memory' | 'redis') => `${kind} store incr`;

const storeIncr: Scenario = {
  name: 'store-incr',
  group: 'store',
  async run(ctx) {
    const prefix = `cordon-bench:${process.pid}-${randomUUID().slice(0, 8)}`;
    const redis = await RedisStore.connect({ url: REDIS_URL, keyPrefix: prefix, connectTimeoutMs: 2000, commandTimeoutMs: 2000 });
    try {
      const p50: Record<string, number> = {};
      for (const [kind, store] of [['memory', new MemoryStore()], ['redis', redis]] as Array<['memory' | 'redis', Store]>) {
        let i = 0;
        // the store layer's key shape: <plugin>\0<the plugin's own key>
        const call = () => store.incr(`rate_limiter\u0000user:60/m:u${i++ % USERS}`, WINDOW_MS);
        const variant = storeVariant(kind);
        ctx.step(`${variant} latency`);
        p50[kind] = (await ctx.latency({ variant }, call)).p50;
        for (const k of ctx.budget.inFlight) {
          ctx.step(`${variant} ×${k} in flight`);
          await ctx.throughput({ variant }, call, k);
        }
      }
      ctx.metrics({ variant: 'redis store incr vs memory' }, { redis_incr_us_p50: p50.redis!, memory_incr_us_p50: p50.memory!, redis_over_memory_us: p50.redis! - p50.memory! });
    } finally {
      await Promise.all(Array.from({ length: USERS }, (_, u) => redis.delete(`rate_limiter\u0000user:60/m:u${u}`))); // pipelined
      await redis.close();
    }
  },
};

export const storeScenarios: Scenario[] = [storeIncr];
