import { medianRound, summarize, type Summary } from './stats.js';

/** What is measured: one call, which may return a promise (awaited) or a plain value (not awaited). */
export type Call = () => unknown;

export interface LatencyPlan {
  warmupCalls: number;
  warmupMs: number;
  rounds: number;
  callsPerRound: number;
  /** A round also ends after this long, so slow cases (large payloads, long chains) keep to the budget. */
  maxRoundMs: number;
}

export interface ThroughputPlan {
  warmupMs: number;
  rounds: number;
  roundMs: number;
  /** A round also ends after this many calls have been started. */
  maxCallsPerRound: number;
}

/** Latency of the median round (by p50), in microseconds, with every round's p50 to show the spread. */
export interface LatencyResult extends Summary {
  roundP50s: number[];
  batch: number;
}

/** Invocations per second of the median round, and every round's figure. */
export interface ThroughputResult {
  inFlight: number;
  opsPerSec: number;
  roundOpsPerSec: number[];
  completed: number;
}

const now = (): bigint => process.hrtime.bigint();
const toMicros = (ns: bigint): number => Number(ns) / 1e3;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

async function once(call: Call): Promise<void> {
  const r = call();
  if (isPromiseLike(r)) await r;
}

/**
 * Sequential latency: warm-up (until both its call count and its time are spent), then `rounds` rounds of up to
 * `callsPerRound` calls each, one at a time. With `batch` > 1 each sample is the mean of `batch` back-to-back
 * calls, for calls far cheaper than the timer itself (a direct function call).
 */
export async function measureLatency(call: Call, plan: LatencyPlan, batch = 1): Promise<LatencyResult> {
  await warmUp(call, plan.warmupCalls, plan.warmupMs);
  const rounds: Summary[] = [];
  for (let r = 0; r < plan.rounds; r++) rounds.push(summarize(await latencyRound(call, plan, batch)));
  const chosen = medianRound(rounds, (s) => s.p50);
  return { ...chosen, roundP50s: rounds.map((s) => s.p50), batch };
}

async function warmUp(call: Call, calls: number, ms: number): Promise<void> {
  const end = now() + BigInt(Math.round(ms * 1e6));
  for (let i = 0; i < calls || now() < end; i++) await once(call);
}

async function latencyRound(call: Call, plan: LatencyPlan, batch: number): Promise<Float64Array> {
  const samples = new Float64Array(plan.callsPerRound);
  const deadline = now() + BigInt(Math.round(plan.maxRoundMs * 1e6));
  let n = 0;
  while (n < plan.callsPerRound) {
    const t0 = now();
    for (let b = 0; b < batch; b++) {
      const r = call();
      if (isPromiseLike(r)) await r;
    }
    const t1 = now();
    samples[n++] = toMicros(t1 - t0) / batch;
    if (t1 > deadline) break;
  }
  return samples.subarray(0, n);
}

/**
 * Concurrent throughput: `inFlight` lanes each start a call as soon as their previous one settles, so that many
 * calls are always outstanding. A round ends when its time is up or its call count is started; the calls still
 * running are waited for and counted, and the round's rate is completed calls over the time until the last one
 * settled. A failed call fails the measurement.
 */
export async function measureThroughput(call: Call, inFlight: number, plan: ThroughputPlan): Promise<ThroughputResult> {
  await throughputRound(call, inFlight, plan.warmupMs, plan.maxCallsPerRound);
  const rounds: { opsPerSec: number; completed: number }[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    rounds.push(await throughputRound(call, inFlight, plan.roundMs, plan.maxCallsPerRound));
  }
  const chosen = medianRound(rounds, (x) => x.opsPerSec);
  return { inFlight, opsPerSec: chosen.opsPerSec, roundOpsPerSec: rounds.map((x) => x.opsPerSec), completed: chosen.completed };
}

async function throughputRound(call: Call, inFlight: number, ms: number, maxCalls: number) {
  const t0 = now();
  const deadline = t0 + BigInt(Math.round(ms * 1e6));
  let started = 0;
  let completed = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && started < maxCalls && now() < deadline) {
      started++;
      try {
        await once(call);
      } catch (err) {
        failed = true;
        throw err;
      }
      completed++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = Number(now() - t0) / 1e9;
  return { opsPerSec: completed / seconds, completed };
}
