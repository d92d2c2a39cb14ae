import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchResults } from '../../bench/report.js';

const MAIN = fileURLToPath(new URL('../../bench/main.js', import.meta.url));

describe('bench --quick, end to end', () => {
  // The bound only catches a hung bench: a quick run is meant to take under 2 minutes, and took 235 s on a 2-core
  // machine with a load average of 24; how fast it runs is the bench's finding, not this test's.
  it('runs every scenario and writes JSON, markdown and SVG', { timeout: 600_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'cordon-bench-quick-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [MAIN, '--quick', '--out', out], { timeout: 590_000 });
      for (const f of ['quick.json', 'quick.md', 'quick-latency.svg', 'quick-throughput.svg']) {
        assert.ok(existsSync(join(out, f)), `${f} written`);
      }
      const results = JSON.parse(readFileSync(join(out, 'quick.json'), 'utf8')) as BenchResults;
      assert.equal(results.mode, 'quick');
      assert.deepEqual(results.errors, []);
      assert.ok(results.machine.cpus >= 1 && results.machine.node === process.version);
      const scenarios = new Set(results.measurements.map((m) => m.scenario));
      assert.deepEqual([...scenarios], ['direct-call', 'structured-clone', 'piscina-round-trip', 'chain', 'default-chain', 'cpu-heavy',
        'cold-start', 'runaway', 'store-incr', 'external']);
      // every target is measured (whether it holds is the bench's finding, not a test's)
      assert.ok(results.targets.length >= 4 && results.targets.every((t) => t.value !== null), JSON.stringify(results.targets));
      const bare = results.measurements.filter((m) => m.scenario === 'piscina-round-trip' && m.kind === 'latency');
      // one bare round trip per atomics mode (bench/baselines.ts), each at every payload size
      const variants = new Set(bare.map((m) => m.variant));
      for (const variant of variants) {
        assert.deepEqual(bare.filter((m) => m.variant === variant).map((m) => m.payload), ['1KB', '16KB', '256KB'], variant);
      }
      for (const m of bare) assert.ok(m.latency!.p50 > 0 && m.latency!.roundP50s.length === 3);
      assert.match(stdout, /## Sequential latency/);
      assert.match(readFileSync(join(out, 'quick-latency.svg'), 'utf8'), /<rect class="bar"/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses an unknown group with exit code 2 and a message naming the groups', async () => {
    const run = promisify(execFile)(process.execPath, [MAIN, '--quick', '--only', 'nonsense', '--out', tmpdir()]);
    await assert.rejects(run, (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr ?? '', /unknown group nonsense \(groups: baseline, chain/);
      return true;
    });
  });
});
