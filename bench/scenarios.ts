import { basename } from 'node:path';
import { MemoryStore, PluginError, PluginManager, type ManagerOptions } from '../src/index.js';
import { externalScenario } from './external.js';
import { globalContext, loadPluginHere, pluginPath } from './fixtures.js';
import type { Payload } from './payloads.js';
import type { BenchContext, Scenario } from './scenario.js';
import { median } from './stats.js';
import { chainVariant, CPU_HEAVY_IN_FLIGHT, cpuHeavyVariant, runawayVariant, type Isolation } from './targets.js';

/**
 * The scenarios that run plugin chains through the PluginManager's public API, each against a config object built
 * here from the plugins in bench/plugins.
 */

const ISOLATIONS: Isolation[] = ['inline', 'worker', 'sandbox'];
const CHAIN_LENGTHS = [1, 5, 10];
const THROUGHPUT_CHAIN = 5;
const CPU_HEAVY_PLUGINS = 4;
const CPU_HEAVY_PASSES = 3;
const RUNAWAY_TIMEOUT_S = 0.2;
const MB = 1024 * 1024;

interface PluginEntry {
  name: string;
  kind: string;
  hooks: string[];
  mode: 'enforce';
  priority: number;
  isolation: Isolation;
  config: Record<string, unknown>;
  /** seconds; the manager's plugin_timeout when absent */
  timeout?: number;
  conditions?: Array<{ tools: string[] }>;
}

/** The hooks each bench plugin implements (a config may not declare a hook its plugin lacks). */
const HOOKS = {
  noop: ['tool_pre_invoke', 'tool_post_invoke'],
  'regex-scan': ['tool_pre_invoke', 'tool_post_invoke'],
  runaway: ['tool_pre_invoke'],
};

function entries(count: number, plugin: keyof typeof HOOKS, isolation: Isolation,
  config: Record<string, unknown> = {}): PluginEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${plugin}-${i + 1}`,
    kind: pluginPath(plugin),
    hooks: HOOKS[plugin],
    mode: 'enforce',
    priority: 10 + i,
    isolation,
    config,
  }));
}

/** The bare-Piscina baseline runs ctx.threads workers, so every manager here gets the same count. */
function managerConfig(ctx: BenchContext, plugins: PluginEntry[], timeoutS = 30) {
  return { plugin_settings: { plugin_timeout: timeoutS, threads: ctx.threads }, plugins };
}

type ManagerConfig = ConstructorParameters<typeof PluginManager>[0];

/**
 * A call of one hook with a fresh global context each time. The first call is checked, so that nothing is timed
 * blind: a chain that blocks the bench payload, or whose conditions let no plugin run, would measure an early exit.
 */
async function invoker(manager: PluginManager, payload: Payload) {
  let i = 0;
  const call = () => manager.invokeHook<string>(payload.hook, payload.payload, globalContext(i++));
  const { result, contexts } = await call();
  const what = `${payload.hook} on the ${payload.label} bench payload`;
  if (result.continue_processing === false) throw new Error(`${what} was blocked: ${JSON.stringify(result.violation)}`);
  if (!contexts || Object.keys(contexts).length === 0) throw new Error(`${what} ran no plugin (check their conditions)`);
  return call;
}

/** Runs `body` with an initialized manager whose new threads are pinned, and shuts the manager down afterwards. */
async function withManager(config: ManagerConfig, ctx: BenchContext, body: (manager: PluginManager) => Promise<void>,
  options: ManagerOptions = {}): Promise<void> {
  const manager = new PluginManager(config, options);
  await manager.initialize();
  ctx.pin();
  try {
    await body(manager);
  } finally {
    await manager.shutdown();
  }
}

const throughputPayloads = (ctx: BenchContext) => ctx.payloads.filter((p) => ctx.budget.throughputPayloads.includes(p.label));

const chain: Scenario = {
  name: 'chain',
  group: 'chain',
  async run(ctx) {
    for (const isolation of ISOLATIONS) {
      for (const n of CHAIN_LENGTHS) {
        const variant = chainVariant(isolation, n);
        await withManager(managerConfig(ctx, entries(n, 'noop', isolation)), ctx, async (manager) => {
          for (const payload of ctx.payloads) {
            ctx.step(`${variant} ${payload.label}`);
            await ctx.latency({ variant, payload }, await invoker(manager, payload));
          }
          if (n !== THROUGHPUT_CHAIN) return;
          for (const payload of throughputPayloads(ctx)) {
            const call = await invoker(manager, payload);
            for (const k of ctx.budget.inFlight) {
              ctx.step(`${variant} ${payload.label} ×${k} in flight`);
              await ctx.throughput({ variant, payload }, call, k);
            }
          }
        });
      }
    }
  },
};

const defaultChain: Scenario = {
  name: 'default-chain',
  group: 'default-chain',
  async run(ctx) {
    await withManager(ctx.configPath, ctx, async (manager) => {
      const variant = `${basename(ctx.configPath)} (${manager.pluginCount} plugins)`;
      const pre = manager.hasHooksFor('tool_pre_invoke');
      const post = manager.hasHooksFor('tool_post_invoke');
      if (!pre && !post) throw new Error(`${ctx.configPath} has no tool_pre_invoke or tool_post_invoke plugins`);
      for (const payload of pre ? ctx.payloads : []) {
        ctx.step(`${variant} ${payload.label}`);
        await ctx.latency({ variant, payload }, await invoker(manager, payload));
      }
      if (post) {
        ctx.step(`${variant} tool_post_invoke`);
        await ctx.latency({ variant: `${variant}, tool_post_invoke`, payload: ctx.postPayload }, await invoker(manager, ctx.postPayload));
      }
      for (const payload of pre ? throughputPayloads(ctx) : []) {
        const call = await invoker(manager, payload);
        for (const k of ctx.budget.inFlight) {
          ctx.step(`${variant} ${payload.label} ×${k} in flight`);
          await ctx.throughput({ variant, payload }, call, k);
        }
      }
    }, { store: new NeverLimitingStore() });
  },
};

/**
 * The default chain's rate limiter would block the bench after its first few hundred calls (that is its job). The
 * bench measures what the chain costs, so its counters go through the store as usual but never pass 1.
 */
class NeverLimitingStore extends MemoryStore {
  override async incr(key: string, ttlMs: number): Promise<number> {
    await super.incr(key, ttlMs);
    return 1;
  }
}

const cpuHeavy: Scenario = {
  name: 'cpu-heavy',
  group: 'cpu-heavy',
  async run(ctx) {
    const payload = ctx.payloads.find((p) => p.label === '16KB')!;
    const config = { passes: CPU_HEAVY_PASSES };
    const hooks = await Promise.all(Array.from({ length: CPU_HEAVY_PLUGINS }, () => loadPluginHere('regex-scan', config)));
    ctx.step('direct regex chain');
    await ctx.latency({ variant: 'direct regex chain (no manager)', payload }, () => {
      for (const h of hooks) h.tool_pre_invoke!(payload.payload, {});
    });
    for (const isolation of ISOLATIONS) {
      const variant = cpuHeavyVariant(isolation);
      await withManager(managerConfig(ctx, entries(CPU_HEAVY_PLUGINS, 'regex-scan', isolation, config)), ctx, async (manager) => {
        const call = await invoker(manager, payload);
        ctx.step(`${variant} latency`);
        await ctx.latency({ variant, payload }, call);
        for (const k of ctx.budget.inFlight) {
          ctx.step(`${variant} ×${k} in flight`);
          await ctx.throughput({ variant, payload }, call, k);
        }
      });
    }
    // The same scans written with String.prototype.match, which the sandbox's frozen RegExp.prototype takes off
    // V8's fast path (regex-scan.js): what a plugin that does not use exec loops pays. Reported, not a target.
    for (const isolation of ['inline', 'sandbox'] as const) {
      const variant = cpuHeavyVariant(isolation, 'match');
      await withManager(managerConfig(ctx, entries(CPU_HEAVY_PLUGINS, 'regex-scan', isolation, { ...config, api: 'match' })), ctx, async (manager) => {
        const call = await invoker(manager, payload);
        ctx.step(`${variant} ×${CPU_HEAVY_IN_FLIGHT} in flight`);
        await ctx.throughput({ variant, payload }, call, CPU_HEAVY_IN_FLIGHT);
      });
    }
  },
};

const coldStart: Scenario = {
  name: 'cold-start',
  group: 'cold-start',
  async run(ctx) {
    const init: number[] = [];
    const stop: number[] = [];
    const perWorker: number[] = [];
    ctx.spread();
    for (let i = 0; i < ctx.budget.repeats; i++) {
      ctx.step(`initialize() ${i + 1}/${ctx.budget.repeats}`);
      const rss = process.memoryUsage.rss();
      const t0 = performance.now();
      const manager = new PluginManager(managerConfig(ctx, entries(5, 'noop', 'sandbox')));
      try {
        await manager.initialize();
        init.push(performance.now() - t0);
        perWorker.push((process.memoryUsage.rss() - rss) / MB / ctx.threads);
      } finally {
        const t1 = performance.now();
        await manager.shutdown();
        stop.push(performance.now() - t1);
      }
    }
    ctx.metrics({ variant: chainVariant('sandbox', 5) }, {
      initialize_ms: median(init), initialize_ms_max: Math.max(...init), shutdown_ms: median(stop),
      rss_mb_per_worker: median(perWorker), threads: ctx.threads,
    });
  },
};

const SPIN_TOOL = 'runaway_spin';

/**
 * The runaway plugin twice, on one pool: with the short timeout for the spinning calls only, and with the default
 * timeout for the normal calls. A normal call measures recovery; on a busy machine it can take longer than 0.2 s,
 * which must not fail the scenario.
 */
function runawayEntries(isolation: Isolation, payload: Payload): PluginEntry[] {
  const [entry] = entries(1, 'runaway', isolation);
  return [
    { ...entry!, name: 'runaway', timeout: RUNAWAY_TIMEOUT_S, conditions: [{ tools: [SPIN_TOOL] }] },
    { ...entry!, name: 'runaway-normal', conditions: [{ tools: [String(payload.payload.name)] }] },
  ];
}

const runaway: Scenario = {
  name: 'runaway',
  group: 'runaway',
  async run(ctx) {
    const payload = ctx.payloads[0]!;
    const spin = { ...payload.payload, name: SPIN_TOOL, args: { ...(payload.payload.args as object), spin: true } };
    const timeoutMs = RUNAWAY_TIMEOUT_S * 1000;
    // `inline` cannot be interrupted: a busy loop there blocks the host, which is why isolation exists.
    for (const isolation of ['worker', 'sandbox'] as const) {
      const variant = runawayVariant(isolation);
      await withManager(managerConfig(ctx, runawayEntries(isolation, payload)), ctx, async (manager) => {
        const normal = await invoker(manager, payload);
        ctx.step(`${variant} normal calls`);
        const normalP50 = (await ctx.latency({ variant: `${variant} (normal call)`, payload }, normal)).p50;
        const overshoot: number[] = [];
        const next: number[] = [];
        const idle: number[] = [];
        for (let i = 0; i < ctx.budget.repeats; i++) {
          ctx.step(`${variant} ${i + 1}/${ctx.budget.repeats}`);
          // The control: a normal call after the pool sat idle as long as a runaway takes. On these machines any call
          // after an idle spell is several times a hot one (a bare Piscina round trip too: idle CPUs wake slowly),
          // so this, not the hot p50, is what tells what the runaway and its worker's replacement cost.
          await new Promise((resolve) => setTimeout(resolve, timeoutMs));
          const t2 = performance.now();
          await normal();
          idle.push((performance.now() - t2) * 1000);
          ctx.pin();
          const t0 = performance.now();
          const outcome = await manager.invokeHook<string>('tool_pre_invoke', spin, globalContext(`runaway-${i}`)).then(() => null, (e: unknown) => e);
          overshoot.push(performance.now() - t0 - timeoutMs);
          if (!(outcome instanceof PluginError)) {
            throw new Error(`a runaway ${isolation} plugin was not stopped with a PluginError (got ${String(outcome)})`);
          }
          const t1 = performance.now();
          await normal();
          next.push((performance.now() - t1) * 1000);
          ctx.pin();
        }
        ctx.metrics({ variant }, {
          timeout_ms: timeoutMs, overshoot_ms_p50: median(overshoot), overshoot_ms_max: Math.max(...overshoot),
          next_call_us_p50: median(next), idle_call_us_p50: median(idle), normal_call_us_p50: normalP50,
          next_call_ratio: median(next) / median(idle), next_call_hot_ratio: median(next) / normalP50,
        });
      });
    }
  },
};

export const managerScenarios: Scenario[] = [chain, defaultChain, cpuHeavy, coldStart, runaway, externalScenario];
