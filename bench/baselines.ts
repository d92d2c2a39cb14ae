import { Piscina } from '../src/runtime/cjs-deps.js';
import { globalContext, loadPluginHere } from './fixtures.js';
import { median } from './stats.js';
import { ATOMICS_MODES, bareVariant, MANAGER_ATOMICS } from './targets.js';
import type { AtomicsMode, BenchContext, Scenario } from './scenario.js';

/**
 * The floors every Cordon figure is read against, measured in the same run: calling a plugin function directly
 * (what `inline` cannot beat), copying the payload (what any isolation pays at least once), and a bare Piscina round
 * trip with the manager's thread count in each `atomics` mode (the cost of one thread hop, nothing else): the
 * targets read the fastest of them, and the manager's own mode is reported beside it.
 */

export interface EchoPool {
  pool: Piscina;
  call(input: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * A pool of `threads` workers that return their input; resolves once every worker has answered a task. Piscina
 * marks its first workers ready before they have started, so one task per worker, sent while all are idle (each
 * worker takes one task at a time), is what shows they are up.
 */
export async function startEchoPool(threads: number, atomics: AtomicsMode): Promise<EchoPool> {
  const pool = new Piscina({
    filename: new URL('./echo-worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    atomics,
  });
  await Promise.all(Array.from({ length: threads }, () => pool.run(null)));
  return { pool, call: (input) => pool.run(input), close: () => pool.destroy() };
}

const MB = 1024 * 1024;

const directCall: Scenario = {
  name: 'direct-call',
  group: 'baseline',
  async run(ctx) {
    const hooks = await loadPluginHere('noop');
    const hook = hooks.tool_pre_invoke!;
    const payload = ctx.payloads[0]!;
    const context = { state: {}, metadata: {}, global_context: globalContext(0) };
    ctx.step('direct call');
    // Each sample averages 1000 calls: one call is far shorter than reading the clock.
    await ctx.latency({ variant: 'direct call (no-op hook)', payload }, () => hook(payload.payload, context), 1000);
  },
};

const clone: Scenario = {
  name: 'structured-clone',
  group: 'baseline',
  async run(ctx) {
    for (const payload of ctx.payloads) {
      ctx.step(`structuredClone ${payload.label}`);
      await ctx.latency({ variant: 'structuredClone', payload }, () => structuredClone(payload.payload));
    }
  },
};

async function coldStarts(ctx: BenchContext): Promise<void> {
  const ms: number[] = [];
  const perWorker: number[] = [];
  for (let i = 0; i < ctx.budget.repeats; i++) {
    const rss = process.memoryUsage.rss();
    const t0 = performance.now();
    const echo = await startEchoPool(ctx.threads, 'sync');
    ms.push(performance.now() - t0);
    perWorker.push((process.memoryUsage.rss() - rss) / MB / ctx.threads);
    await echo.close();
  }
  ctx.metrics({ variant: 'bare Piscina pool start' }, { start_ms: median(ms), rss_mb_per_worker: median(perWorker), threads: ctx.threads });
}

const piscinaRoundTrip: Scenario = {
  name: 'piscina-round-trip',
  group: 'baseline',
  async run(ctx) {
    ctx.step('bare Piscina cold start');
    // Workers start in parallel on every CPU in a real process; split placement would start them all on one.
    ctx.spread();
    await coldStarts(ctx);
    for (const atomics of ATOMICS_MODES) {
      const echo = await startEchoPool(ctx.threads, atomics);
      const variant = bareVariant(atomics);
      try {
        ctx.pin();
        for (const payload of ctx.payloads) {
          ctx.step(`${variant} ${payload.label}`);
          await ctx.latency({ variant, payload }, () => echo.call(payload.payload));
        }
        // throughput for Piscina's default and for the manager's mode; `async` only shows its latency
        if (atomics !== 'sync' && atomics !== MANAGER_ATOMICS) continue;
        for (const payload of ctx.payloads.filter((p) => ctx.budget.throughputPayloads.includes(p.label))) {
          for (const k of ctx.budget.inFlight) {
            ctx.step(`${variant} ${payload.label} ×${k} in flight`);
            await ctx.throughput({ variant, payload }, () => echo.call(payload.payload), k);
          }
        }
      } finally {
        await echo.close();
      }
    }
  },
};

export const baselineScenarios: Scenario[] = [directCall, clone, piscinaRoundTrip];
