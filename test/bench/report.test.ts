import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { machineInfo, markdown, writeReport, type BenchResults } from '../../bench/report.js';
import type { Measurement } from '../../bench/scenario.js';
import { bareVariant, chainVariant, cpuHeavyVariant, evaluateTargets, runawayVariant } from '../../bench/targets.js';

const latency = (p50: number) => ({ n: 100, min: p50 / 2, max: p50 * 3, mean: p50, p50, p95: p50 * 2, p99: p50 * 2.5, roundP50s: [p50], batch: 1 });
const base = { group: 'g', payloadBytes: 1000, pinned: true };

const measurements: Measurement[] = [
  { ...base, scenario: 'piscina-round-trip', variant: bareVariant('sync'), payload: '1KB', kind: 'latency', latency: latency(80) },
  { ...base, scenario: 'piscina-round-trip', variant: bareVariant('disabled'), payload: '1KB', kind: 'latency', latency: latency(100) },
  { ...base, scenario: 'chain', variant: chainVariant('sandbox', 5), payload: '1KB', kind: 'latency', latency: latency(200) },
  { ...base, scenario: 'chain', variant: chainVariant('sandbox', 5), payload: '16KB', kind: 'latency', latency: latency(400) },
  ...(['inline', 'sandbox'] as const).map((iso, i): Measurement => ({
    ...base, scenario: 'cpu-heavy', variant: cpuHeavyVariant(iso), payload: '16KB', kind: 'throughput',
    throughput: { inFlight: 16, opsPerSec: 1000 * (i + 1), roundOpsPerSec: [1000 * (i + 1)], completed: 10 },
  })),
];

function results(ms: Measurement[]): BenchResults {
  return {
    mode: 'quick', date: '2026-11-25T00:00:00.000Z', durationMs: 1234, machine: machineInfo(),
    settings: { threads: 2, pinning: { mode: 'split', active: true, note: 'main thread on CPU 0', cpus: [0, 1], threads: 9 }, config: 'x.yaml' },
    measurements: ms, targets: evaluateTargets(ms), errors: [{ scenario: 'runaway', message: 'manager | broke' }],
  };
}

describe('evaluateTargets', () => {
  it('computes each ratio from the same run and says which hold', () => {
    const [chain, ten, heavy, overshoot, next] = evaluateTargets(measurements);
    assert.equal(chain!.value, 2.5, 'against the fastest bare pool (sync, 80 µs), not the manager\'s mode (100 µs)');
    assert.equal(chain!.holds, false);
    assert.equal(ten!.holds, null, 'the 10-plugin chain was not measured');
    assert.equal(heavy!.value, 2);
    assert.equal(heavy!.holds, true);
    assert.equal(overshoot!.holds, null, 'runaway not measured');
    assert.equal(next!.value, null);
  });

  it('reads the runaway figures from its metrics', () => {
    const ms: Measurement[] = [{
      ...base, scenario: 'runaway', variant: runawayVariant('sandbox'), payload: null, kind: 'metrics',
      metrics: { timeout_ms: 200, overshoot_ms_p50: 3, overshoot_ms_max: 25, next_call_ratio: 1.5 },
    }];
    const [, , , overshoot, next] = evaluateTargets(ms);
    assert.equal(overshoot!.holds, false);
    assert.equal(next!.holds, true);
  });
});

describe('writeReport', () => {
  it('writes JSON with the machine, a markdown table and two SVG charts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cordon-bench-'));
    try {
      const files = writeReport(results(measurements), dir);
      assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), ['quick.json', 'quick.md', 'quick-latency.svg', 'quick-throughput.svg']);
      const json = JSON.parse(readFileSync(files[0]!, 'utf8')) as BenchResults;
      assert.equal(json.machine.cpus, machineInfo().cpus);
      assert.equal(json.machine.node, process.version);
      assert.equal(json.settings.pinning.active, true);
      assert.equal(json.measurements.length, measurements.length);
      const latencySvg = readFileSync(files[2]!, 'utf8');
      assert.equal(latencySvg.match(/<rect class="bar"/g)?.length, 4);
      assert.match(latencySvg, /chain: sandbox ×5 no-op/);
      assert.equal(readFileSync(files[3]!, 'utf8').match(/<rect class="bar"/g)?.length, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders targets, latency, throughput and failures as markdown', () => {
    const md = markdown(results(measurements));
    assert.match(md, /^# Cordon bench \(quick\)/);
    assert.match(md, /\| sandbox chain of 5 no-op plugins.* \| 2\.50 \| ≤ 1\.5 \| \*\*no\*\* \|/);
    assert.match(md, /\| chain \| sandbox ×5 no-op \| 16KB \| 400\.0 \| 800\.0 \| 1,000 \|/);
    assert.match(md, /\| cpu-heavy \| sandbox regex chain \| 16KB \| 16 \| 2,000 \|/);
    assert.match(md, /- `runaway`: manager \| broke/);
    assert.match(md, /pinning: main thread on CPU 0/);
  });
});

describe('targets of a partial run', () => {
  it('a run without the chain, cpu-heavy and runaway groups (a --config run) lists no target, rather than "not measured ? µs"', () => {
    const ms = measurements.filter((m) => m.scenario === 'piscina-round-trip');
    const targets = evaluateTargets(ms, ['baseline', 'default-chain']);
    assert.deepEqual(targets, []);
    const text = markdown({ ...results(ms), targets });
    assert.doesNotMatch(text, /not measured|\? µs/);
    assert.match(text, /## Targets\n\nNone: this run left out/);
  });

  it('a target whose group ran but failed is still listed, as not measured', () => {
    const targets = evaluateTargets(measurements, ['baseline', 'chain', 'cpu-heavy', 'runaway']);
    assert.equal(targets.length, 5);
    assert.equal(targets.find((t) => t.groups.includes('runaway'))!.holds, null);
  });
});
