import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { Piscina } from '../src/runtime/cjs-deps.js';
import type { Placement } from './cpu-placement.js';
import type { Measurement } from './scenario.js';
import { ATOMICS_MODES, MANAGER_ATOMICS } from './targets.js';
import { barChartSvg, formatNumber, type BarChart } from './svg.js';
import type { Target } from './targets.js';

export interface Machine {
  cpus: number;
  availableParallelism: number;
  cpuModel: string;
  node: string;
  platform: string;
  arch: string;
  totalMemMb: number;
  piscina: string;
}

export interface BenchResults {
  mode: 'quick' | 'full';
  date: string;
  durationMs: number;
  machine: Machine;
  settings: { threads: number; pinning: Placement; config: string };
  measurements: Measurement[];
  targets: Target[];
  errors: { scenario: string; message: string }[];
}

export function machineInfo(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    availableParallelism: availableParallelism(),
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    totalMemMb: Math.round(totalmem() / 1024 / 1024),
    piscina: Piscina.version,
  };
}

/** Writes `<mode>.json`, `<mode>.md`, `<mode>-latency.svg` and `<mode>-throughput.svg`; returns the paths. */
export function writeReport(results: BenchResults, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const files: [string, string][] = [
    [`${results.mode}.json`, JSON.stringify(results, null, 2) + '\n'],
    [`${results.mode}.md`, markdown(results)],
    [`${results.mode}-latency.svg`, barChartSvg(latencyChart(results))],
    [`${results.mode}-throughput.svg`, barChartSvg(throughputChart(results))],
  ];
  return files.map(([name, text]) => {
    const path = join(outDir, name);
    writeFileSync(path, text);
    return path;
  });
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const row = (cells: (string | number)[]): string => `| ${cells.map((c) => cell(String(c))).join(' | ')} |`;
const table = (head: string[], rows: (string | number)[][]): string[] =>
  rows.length === 0 ? [] : [row(head), row(head.map(() => '---')), ...rows.map(row)];
const range = (xs: number[]): string => `${formatNumber(Math.min(...xs))}–${formatNumber(Math.max(...xs))}`;

export function markdown(r: BenchResults): string {
  const m = r.machine;
  const lat = r.measurements.filter((x) => x.latency);
  const thr = r.measurements.filter((x) => x.throughput);
  const met = r.measurements.filter((x) => x.metrics);
  const verdict = (t: Target): string => (t.holds === null ? 'not measured' : t.holds ? 'yes' : '**no**');
  const lines = [
    `# Cordon bench (${r.mode}), ${r.date}`,
    '',
    `${m.cpus} × ${m.cpuModel}, Node ${m.node}, ${m.platform} ${m.arch}, Piscina ${m.piscina}; ` +
      `${r.settings.threads} worker threads; bare pools in each atomics mode (${ATOMICS_MODES.join(', ')}; targets read the fastest), the manager's \`${MANAGER_ATOMICS}\`; ` +
      `pinning: ${r.settings.pinning.active ? `${r.settings.pinning.note} while latency is measured, threads spread over ` +
        'every CPU for throughput and start-up' : `off (${r.settings.pinning.note})`}; ` +
      `run took ${(r.durationMs / 1000).toFixed(1)} s.`,
    '',
    '## Targets',
    '',
    ...(r.targets.length === 0 ? ['None: this run left out the groups the targets compare (chain, cpu-heavy, runaway).'] : []),
    ...table(['target', 'measured', 'limit', 'holds', 'from'], r.targets.map((t) => [
      t.name, t.value === null ? '—' : formatNumber(t.value), `${t.bound === 'max' ? '≤' : '≥'} ${t.limit}`, verdict(t), t.detail,
    ])),
    '',
    '## Sequential latency (µs; the median round by p50, and the range of round p50s)',
    '',
    ...table(['scenario', 'variant', 'payload', 'p50', 'p95', 'p99', 'round p50s', 'calls', 'pinned'], lat.map((x) => [
      x.scenario, x.variant, x.payload ?? '', formatNumber(x.latency!.p50), formatNumber(x.latency!.p95),
      formatNumber(x.latency!.p99), range(x.latency!.roundP50s), x.latency!.n * x.latency!.batch, x.pinned ? 'yes' : 'no',
    ])),
    '',
    '## Throughput (invocations/s; the median round)',
    '',
    ...table(['scenario', 'variant', 'payload', 'in flight', 'per second', 'rounds', 'pinned'], thr.map((x) => [
      x.scenario, x.variant, x.payload ?? '', x.throughput!.inFlight, formatNumber(x.throughput!.opsPerSec),
      range(x.throughput!.roundOpsPerSec), x.pinned ? 'yes' : 'no',
    ])),
    '',
    '## Other figures (medians of the repeats unless the name says otherwise)',
    '',
    ...table(['scenario', 'variant', 'figure', 'value'], met.flatMap((x) =>
      Object.entries(x.metrics!).map(([k, v]) => [x.scenario, x.variant, k, formatNumber(v)]))),
  ];
  if (r.errors.length > 0) {
    lines.push('', '## Failed scenarios', '', ...r.errors.map((e) => `- \`${e.scenario}\`: ${e.message}`));
  }
  return lines.join('\n') + '\n';
}

/** Groups rows by `rowOf`, with one series per distinct `seriesOf`, in order of first appearance. */
function grouped(ms: Measurement[], rowOf: (m: Measurement) => string, seriesOf: (m: Measurement) => string,
  value: (m: Measurement) => number): Pick<BarChart, 'series' | 'groups'> {
  const series = [...new Set(ms.map(seriesOf))];
  const rows = new Map<string, (number | null)[]>();
  for (const m of ms) {
    const values = rows.get(rowOf(m)) ?? series.map(() => null);
    values[series.indexOf(seriesOf(m))] = value(m);
    rows.set(rowOf(m), values);
  }
  return { series, groups: [...rows].map(([label, values]) => ({ label, values })) };
}

export function latencyChart(r: BenchResults): BarChart {
  const ms = r.measurements.filter((m) => m.latency);
  return {
    title: `Cordon bench (${r.mode}): sequential latency p50 by payload`,
    unit: 'µs',
    scale: 'log',
    ...grouped(ms, (m) => `${m.scenario}: ${m.variant}`, (m) => m.payload ?? 'n/a', (m) => m.latency!.p50),
  };
}

export function throughputChart(r: BenchResults): BarChart {
  const ms = r.measurements.filter((m) => m.throughput);
  return {
    title: `Cordon bench (${r.mode}): throughput by calls in flight`,
    unit: 'invocations/s',
    scale: 'log',
    ...grouped(ms, (m) => `${m.scenario}: ${m.variant} · ${m.payload ?? ''}`, (m) => `${m.throughput!.inFlight} in flight`,
      (m) => m.throughput!.opsPerSec),
  };
}
