import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureLatency, measureThroughput } from '../../bench/measure.js';

const latencyPlan = { warmupCalls: 5, warmupMs: 0, rounds: 3, callsPerRound: 20, maxRoundMs: 60_000 };
const throughputPlan = { warmupMs: 0, rounds: 3, roundMs: 60_000, maxCallsPerRound: 50 };

describe('measureLatency', () => {
  it('warms up, then runs every round to its call count and reports one round', async () => {
    let calls = 0;
    const r = await measureLatency(async () => {
      calls++;
    }, latencyPlan);
    assert.equal(calls, 5 + 3 * 20);
    assert.equal(r.n, 20);
    assert.equal(r.roundP50s.length, 3);
    assert.ok(r.roundP50s.includes(r.p50), 'the reported p50 is one round\'s own');
    assert.ok(r.min <= r.p50 && r.p50 <= r.p95 && r.p95 <= r.p99 && r.p99 <= r.max);
  });

  it('awaits a promise-returning call before timing the next one', async () => {
    let running = 0;
    let overlap = false;
    await measureLatency(async () => {
      running++;
      if (running > 1) overlap = true;
      await new Promise((resolve) => setImmediate(resolve));
      running--;
    }, latencyPlan);
    assert.equal(overlap, false);
  });

  it('averages a batch of calls into one sample', async () => {
    let calls = 0;
    const r = await measureLatency(() => {
      calls++;
    }, { ...latencyPlan, warmupCalls: 0 }, 100);
    assert.equal(calls, 3 * 20 * 100);
    assert.equal(r.batch, 100);
    assert.equal(r.n, 20);
  });

  it('ends a round at its time limit even when calls remain', async () => {
    const r = await measureLatency(() => new Promise((resolve) => setTimeout(resolve, 5)), { ...latencyPlan, maxRoundMs: 1 });
    assert.equal(r.n, 1);
  });

  it('lets a failing call fail the measurement', async () => {
    await assert.rejects(measureLatency(async () => {
      throw new Error('boom');
    }, latencyPlan), /boom/);
  });
});

describe('measureThroughput', () => {
  it('keeps exactly the requested number of calls in flight', async () => {
    let running = 0;
    let peak = 0;
    const r = await measureThroughput(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
    }, 8, throughputPlan);
    assert.equal(peak, 8);
    assert.equal(r.inFlight, 8);
    assert.equal(r.completed, 50);
    assert.equal(r.roundOpsPerSec.length, 3);
    assert.ok(r.opsPerSec > 0 && r.roundOpsPerSec.includes(r.opsPerSec));
  });

  it('ends a round when its time is up and counts the calls still in flight', async () => {
    const r = await measureThroughput(() => new Promise((resolve) => setTimeout(resolve, 100)), 4, {
      warmupMs: 30, rounds: 1, roundMs: 30, maxCallsPerRound: 1_000_000,
    });
    assert.equal(r.completed, 4);
  });

  it('rejects when a call fails', async () => {
    let n = 0;
    await assert.rejects(measureThroughput(async () => {
      if (++n === 10) throw new Error('call 10 failed');
    }, 4, throughputPlan), /call 10 failed/);
  });
});
