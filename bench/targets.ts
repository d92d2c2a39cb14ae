import type { Measurement } from './scenario.js';

/**
 * The performance targets, each a ratio or a margin taken from measurements of the same run. A target
 * whose measurements are missing (a scenario not selected, or failed) is reported as not measured, never as met.
 */

export type Isolation = 'inline' | 'worker' | 'sandbox';

export const chainVariant = (isolation: Isolation, plugins: number): string => `${isolation} ×${plugins} no-op`;
/** the CPU-heavy chain's scans loop RegExp.prototype.exec; `match`: the same scans by String.prototype.match */
export const cpuHeavyVariant = (isolation: Isolation, api: 'exec' | 'match' = 'exec'): string =>
  `${isolation} regex chain${api === 'match' ? ' (String#match)' : ''}`;
export const runawayVariant = (isolation: Isolation): string => `${isolation} runaway`;
const BARE_PISCINA = 'bare Piscina round trip';
/** Piscina's `atomics` modes: `sync` is its default and the fastest bare hop; the manager runs `disabled`. */
export const ATOMICS_MODES = ['sync', 'async', 'disabled'] as const;
export const MANAGER_ATOMICS = 'disabled';
export const bareVariant = (atomics: (typeof ATOMICS_MODES)[number]): string => `${BARE_PISCINA} (atomics ${atomics})`;

export interface Target {
  name: string;
  /** the bench groups whose measurements it compares; a run without one of them does not list the target */
  groups: string[];
  value: number | null;
  limit: number;
  /** `max`: the value must not exceed the limit; `min`: it must reach it. */
  bound: 'max' | 'min';
  holds: boolean | null;
  detail: string;
}

type Find = Partial<Pick<Measurement, 'scenario' | 'variant' | 'payload' | 'kind'>> & { inFlight?: number };

function find(ms: readonly Measurement[], q: Find): Measurement | undefined {
  return ms.find(
    (m) =>
      (q.scenario === undefined || m.scenario === q.scenario) &&
      (q.variant === undefined || m.variant === q.variant) &&
      (q.payload === undefined || m.payload === q.payload) &&
      (q.kind === undefined || m.kind === q.kind) &&
      (q.inFlight === undefined || m.throughput?.inFlight === q.inFlight),
  );
}

function target(groups: string[], name: string, value: number | null, limit: number, bound: 'max' | 'min', detail: string): Target {
  const holds = value === null || !Number.isFinite(value) ? null : bound === 'max' ? value <= limit : value >= limit;
  return { name, groups, value: value !== null && Number.isFinite(value) ? value : null, limit, bound, holds, detail };
}

const ratio = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined || b === 0 ? null : a / b;

export const CPU_HEAVY_IN_FLIGHT = 16;

/**
 * The targets the run's groups can measure: those of a group the run left out are not listed at all (a target
 * whose group ran but failed is still listed, as not measured).
 */
export function evaluateTargets(ms: readonly Measurement[], groups?: readonly string[]): Target[] {
  const all = allTargets(ms);
  return groups ? all.filter((t) => t.groups.every((g) => groups.includes(g))) : all;
}

function allTargets(ms: readonly Measurement[]): Target[] {
  const chain = find(ms, { scenario: 'chain', variant: chainVariant('sandbox', 5), payload: '1KB', kind: 'latency' });
  const chain10 = find(ms, { scenario: 'chain', variant: chainVariant('sandbox', 10), payload: '1KB', kind: 'latency' });
  // The baseline a user would pick: the fastest bare pool, whatever its atomics mode, measured as the chain is.
  const bare = ATOMICS_MODES
    .map((mode) => find(ms, { scenario: 'piscina-round-trip', variant: bareVariant(mode), payload: '1KB', kind: 'latency' }))
    .filter((m) => m?.latency !== undefined)
    .sort((a, b) => a!.latency!.p50 - b!.latency!.p50)[0];
  const heavy = (iso: Isolation) =>
    find(ms, { scenario: 'cpu-heavy', variant: cpuHeavyVariant(iso), kind: 'throughput', inFlight: CPU_HEAVY_IN_FLIGHT });
  const runaway = find(ms, { scenario: 'runaway', variant: runawayVariant('sandbox'), kind: 'metrics' })?.metrics;
  return [
    target(
      ['baseline', 'chain'], 'sandbox chain of 5 no-op plugins, 1KB tool_pre_invoke: p50 / bare Piscina round trip p50',
      ratio(chain?.latency?.p50, bare?.latency?.p50), 1.5, 'max',
      `${chain?.latency?.p50?.toFixed(1) ?? '?'} µs / ${bare?.latency?.p50?.toFixed(1) ?? '?'} µs (${bare?.variant ?? '?'})`,
    ),
    target(
      ['chain'], 'sandbox chain of 10 no-op plugins / chain of 5, 1KB p50 (a chain costs one hop, not one per plugin)',
      ratio(chain10?.latency?.p50, chain?.latency?.p50), 1.3, 'max',
      `${chain10?.latency?.p50?.toFixed(1) ?? '?'} µs / ${chain?.latency?.p50?.toFixed(1) ?? '?'} µs`,
    ),
    target(
      ['cpu-heavy'], `CPU-heavy chain: sandbox throughput / inline throughput (${CPU_HEAVY_IN_FLIGHT} in flight)`,
      ratio(heavy('sandbox')?.throughput?.opsPerSec, heavy('inline')?.throughput?.opsPerSec), 1.7, 'min',
      `${heavy('sandbox')?.throughput?.opsPerSec?.toFixed(0) ?? '?'} /s vs ${heavy('inline')?.throughput?.opsPerSec?.toFixed(0) ?? '?'} /s`,
    ),
    target(
      ['runaway'], 'runaway sandbox plugin: rejection later than its timeout by (ms, worst of the repeats)',
      runaway?.overshoot_ms_max ?? null, 20, 'max',
      `timeout ${runaway?.timeout_ms ?? '?'} ms, median overshoot ${runaway?.overshoot_ms_p50?.toFixed(1) ?? '?'} ms`,
    ),
    target(
      ['runaway'], 'runaway sandbox plugin: next call / a normal call after the same idle time (p50s)',
      runaway?.next_call_ratio ?? null, 2.0, 'max',
      `${runaway?.next_call_us_p50?.toFixed(1) ?? '?'} µs vs ${runaway?.idle_call_us_p50?.toFixed(1) ?? '?'} µs `
        + `(a hot call: ${runaway?.normal_call_us_p50?.toFixed(1) ?? '?'} µs, so ${runaway?.next_call_hot_ratio?.toFixed(1) ?? '?'}x)`,
    ),
  ];
}
