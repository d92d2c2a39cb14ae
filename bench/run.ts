import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commander } from '../src/runtime/cjs-deps.js';
import { baselineScenarios } from './baselines.js';
import { pinThreads, unpinThreads, type Placement } from './cpu-placement.js';
import { measureLatency, measureThroughput } from './measure.js';
import { preInvokePayloads, toolPostInvoke } from './payloads.js';
import { createProgress } from './progress.js';
import { machineInfo, markdown, writeReport, type BenchResults } from './report.js';
import { FULL, QUICK, type BenchContext, type Case, type Measurement, type Scenario } from './scenario.js';
import { evaluateTargets } from './targets.js';

const { Command, InvalidArgumentError } = commander();
type Command = InstanceType<typeof Command>;

export interface BenchOptions {
  quick: boolean;
  config: string;
  out: string;
  groups: string[];
  threads: number;
  pin: boolean;
}

/** Every group, in run order. Only `baseline` runs without the PluginManager. */
export const GROUPS = ['baseline', 'chain', 'default-chain', 'cpu-heavy', 'cold-start', 'runaway', 'store', 'external'];
const CONFIG_GROUPS = ['baseline', 'default-chain'];
// The manager's own default (plugin_settings.threads).
const DEFAULT_THREADS = Math.max(1, Math.min(4, availableParallelism()));
import { BUNDLED_CONFIG as DEFAULT_CONFIG } from '../src/bundled.js';

function checkGroups(groups: string[]): string[] {
  const unknown = groups.filter((g) => !GROUPS.includes(g));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown group ${unknown.join(', ')} (groups: ${GROUPS.join(', ')})`);
  return groups;
}

async function scenariosFor(groups: string[]): Promise<Scenario[]> {
  checkGroups(groups);
  const all = [...baselineScenarios];
  // The manager scenarios import the library; loading them only when asked lets the baselines run on their own.
  if (groups.some((g) => g !== 'baseline')) all.push(...(await import('./scenarios.js')).managerScenarios);
  if (groups.includes('store')) all.push(...(await import('./store-scenario.js')).storeScenarios);
  return all.filter((s) => groups.includes(s.group)).sort((a, b) => GROUPS.indexOf(a.group) - GROUPS.indexOf(b.group));
}

export async function runBench(opts: BenchOptions): Promise<BenchResults> {
  const started = Date.now();
  const budget = opts.quick ? QUICK : FULL;
  const scenarios = (await scenariosFor(opts.groups)).map((s) => (s.group === 'default-chain' && opts.config !== DEFAULT_CONFIG
    ? { ...s, name: configChainName(opts.config) } : s));
  const measurements: Measurement[] = [];
  const errors: BenchResults['errors'] = [];
  const notPinned: Placement = { mode: 'none', active: false, note: 'not requested (--no-pin)', cpus: [], threads: 0 };
  const placement = opts.pin ? pinThreads() : notPinned;
  let pinned = placement.active;
  // Latency is measured split (main thread and workers on fixed, separate CPUs) for steady ratios; throughput
  // spread over every CPU, as a gateway runs, since pinning all workers to one CPU would cap their parallelism.
  const pin = (): void => {
    if (opts.pin) pinned = pinThreads().active;
  };
  const payloads = preInvokePayloads();
  const postPayload = toolPostInvoke('16KB', 16 * 1024);
  const progress = createProgress(scenarios.length);

  for (const [index, scenario] of scenarios.entries()) {
    const record = (c: Case, m: Pick<Measurement, 'kind' | 'latency' | 'throughput' | 'metrics'>): void => {
      measurements.push({
        scenario: scenario.name, group: scenario.group, variant: c.variant,
        payload: c.payload?.label ?? null, payloadBytes: c.payload?.bytes ?? null, pinned, ...m,
      });
    };
    const ctx: BenchContext = {
      quick: opts.quick, threads: opts.threads, budget, payloads,
      postPayload, configPath: opts.config,
      pin,
      spread() {
        if (pinned) pinned = unpinThreads().active;
      },
      step: (label) => progress.update(index, `${scenario.name}: ${label}`),
      async latency(c, call, batch) {
        if (opts.pin && !pinned) pin();
        const latency = await measureLatency(call, budget.latency, batch);
        record(c, { kind: 'latency', latency });
        return latency;
      },
      async throughput(c, call, inFlight) {
        ctx.spread();
        const throughput = await measureThroughput(call, inFlight, budget.throughput);
        record(c, { kind: 'throughput', throughput });
        return throughput;
      },
      metrics: (c, metrics) => record(c, { kind: 'metrics', metrics }),
    };
    progress.update(index, scenario.name);
    try {
      await scenario.run(ctx);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      errors.push({ scenario: scenario.name, message });
      progress.done();
      process.stderr.write(`bench: scenario ${scenario.name} failed: ${message}\n`);
    }
  }
  progress.done();
  return {
    mode: opts.quick ? 'quick' : 'full',
    date: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    machine: machineInfo(),
    settings: { threads: opts.threads, pinning: placement, config: opts.config },
    measurements,
    targets: evaluateTargets(measurements, opts.groups),
    errors,
  };
}

/** How a --config run names the user's chain in its tables (the bundled one is `default-chain`). */
export const configChainName = (config: string): string => `chain of ${basename(config)}`;

/** The hooks a chain is benched on: the ones a gateway runs around every tool call. */
const BENCHED_HOOKS = ['tool_pre_invoke', 'tool_post_invoke'];

/**
 * A --config file is checked before anything is measured: a config error, or a chain with no plugin on the benched
 * hooks, is bad input (exit 2) at once, not a failed scenario after the baselines.
 */
async function checkBenchConfig(path: string): Promise<void> {
  const { loadConfig } = await import('../src/bundled.js');
  const config = await loadConfig(path);
  const hooks = new Set(config.plugins.filter((p) => p.mode !== 'disabled').flatMap((p) => p.hooks));
  if (!BENCHED_HOOKS.some((h) => hooks.has(h))) {
    throw new BenchInputError(`${path} has no enabled plugin on ${BENCHED_HOOKS.join(' or ')}, the hooks the bench measures a chain on`
      + ` (its plugins register ${[...hooks].join(', ') || 'nothing'})`);
  }
}

/** Bad input to the bench (exit 2), worded for the user. */
export class BenchInputError extends Error {
  override name = 'BenchInputError';
}

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

const groupList = (text: string): string[] => checkGroups(text.split(',').map((s) => s.trim()).filter(Boolean));

/**
 * The `bench` command, shared by `npm run bench` (bench/main.ts) and `cordon bench`. `setExit` receives 1 when a
 * scenario failed (the caller owns the process's exit code).
 */
export function benchCommand(setExit: (code: number) => void = (code) => {
  process.exitCode = code;
}): Command {
  return new Command('bench')
    .description('Measure plugin chains against a direct call, structuredClone and a bare Piscina round trip')
    .option('--quick', 'few short rounds (under 2 minutes in all)', false)
    .option('--config <file>', 'bench this config\'s chain instead of plugins/config.yaml (runs baseline,default-chain): '
      + 'its tool_pre_invoke and tool_post_invoke plugins, on the bench\'s payloads; it needs plugins on at least one of them')
    .option('--out <dir>', 'where to write JSON, markdown and SVG', 'bench/results')
    .option('--only <groups>', `comma-separated groups to run: ${GROUPS.join(', ')}`, groupList)
    .option('--threads <n>', 'worker threads of the baseline pool and of the bench\'s managers', positiveInt, DEFAULT_THREADS)
    .option('--no-pin', 'leave thread placement to the OS (latency ratios then swing between runs)')
    .action(async (o: { quick: boolean; config?: string; out: string; only?: string[]; threads: number; pin: boolean }) => {
      if (o.config) await checkBenchConfig(resolve(o.config));
      const results = await runBench({
        quick: o.quick,
        config: o.config ? resolve(o.config) : DEFAULT_CONFIG,
        out: o.out,
        groups: o.only ?? (o.config ? CONFIG_GROUPS : GROUPS),
        threads: o.threads,
        pin: o.pin,
      });
      const files = writeReport(results, o.out);
      process.stdout.write(markdown(results) + `\nWrote ${files.join(', ')}\n`);
      if (results.errors.length > 0) setExit(1);
    });
}
