import type { Call, LatencyPlan, LatencyResult, ThroughputPlan, ThroughputResult } from './measure.js';
import type { Payload } from './payloads.js';

/** What a scenario is: registered by name, selected by group (`--only`), run with a context. */
export interface Scenario {
  name: string;
  group: string;
  run(ctx: BenchContext): Promise<void>;
}

export type AtomicsMode = 'sync' | 'async' | 'disabled';

export interface Budget {
  latency: LatencyPlan;
  throughput: ThroughputPlan;
  /** Repetitions of one-shot measurements (cold start, runaway recovery); the median is reported. */
  repeats: number;
  inFlight: number[];
  /** Payload labels whose throughput is measured (latency is measured at every size). */
  throughputPayloads: string[];
}

/** One row of the results: a variant of a scenario at one payload, measured one way. */
export interface Measurement {
  scenario: string;
  group: string;
  variant: string;
  payload: string | null;
  payloadBytes: number | null;
  kind: 'latency' | 'throughput' | 'metrics';
  /** Whether threads were pinned (main thread and workers on separate CPUs) while this was measured. */
  pinned: boolean;
  latency?: LatencyResult;
  throughput?: ThroughputResult;
  metrics?: Record<string, number>;
}

export interface Case {
  variant: string;
  payload?: Payload;
}

export interface BenchContext {
  quick: boolean;
  /** Worker threads: the bare-Piscina baselines use what the managers use. */
  threads: number;
  budget: Budget;
  /** tool_pre_invoke payloads of about 1 KB, 16 KB and 256 KB, and one tool_post_invoke payload. */
  payloads: Payload[];
  postPayload: Payload;
  /** The config whose chain the `default-chain` scenario runs (plugins/config.yaml, or --config). */
  configPath: string;
  /**
   * Re-pins every thread: call after a pool starts or a worker is replaced, since new threads take the main
   * thread's CPU. A no-op with --no-pin. `latency` pins by itself when the last `throughput` spread the threads out.
   */
  pin(): void;
  /** Lets every thread use every CPU again, as `throughput` does by itself; for one-shot figures such as cold start. */
  spread(): void;
  /** Names what is being measured now, for the progress line. */
  step(label: string): void;
  latency(c: Case, call: Call, batch?: number): Promise<LatencyResult>;
  throughput(c: Case, call: Call, inFlight: number): Promise<ThroughputResult>;
  metrics(c: Case, values: Record<string, number>): void;
}

export const QUICK: Budget = {
  latency: { warmupCalls: 30, warmupMs: 60, rounds: 3, callsPerRound: 300, maxRoundMs: 100 },
  throughput: { warmupMs: 60, rounds: 3, roundMs: 120, maxCallsPerRound: 100_000 },
  repeats: 3,
  inFlight: [1, 16, 64],
  throughputPayloads: ['1KB'],
};

export const FULL: Budget = {
  latency: { warmupCalls: 500, warmupMs: 1000, rounds: 7, callsPerRound: 3000, maxRoundMs: 1500 },
  throughput: { warmupMs: 500, rounds: 5, roundMs: 1000, maxCallsPerRound: 10_000_000 },
  repeats: 7,
  inFlight: [1, 16, 64],
  throughputPayloads: ['1KB', '16KB', '256KB'],
};
