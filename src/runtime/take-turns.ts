import type { Piscina } from './cjs-deps.js';

type Balancer = NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer'] & {};

/** runs a worker takes in a row, while it is idle, before the next one takes over */
export const TURN_RUNS = 32;

/**
 * Hands runs to one worker while it is idle, and every TURN_RUNS runs moves on to the next idle worker.
 * Piscina's default takes the first idle worker, so sequential calls all went to one worker and the others only
 * ever loaded: when that worker was stopped (a runaway), the calls after it ran on a worker whose code V8 had never
 * optimized, at 10x a normal call. Strict turns kept every worker optimized but cost a quarter of a 5-plugin chain's
 * latency (each call woke a thread whose caches the other had just displaced, measured pinned on 2 cores). In turns
 * of TURN_RUNS, every worker gets optimized and the hot path stays on one warm thread. Runs carry an abort signal,
 * so a worker takes one at a time: only an idle worker is a candidate.
 */
export function takeTurns(): Balancer {
  let current: number | null = null;
  let runs = 0;
  return (_task, workers) => {
    const turnOver = ++runs % TURN_RUNS === 0;
    const at = current === null ? -1 : workers.findIndex((worker) => worker.id === current);
    if (!turnOver && at >= 0 && workers[at]!.currentUsage === 0) return workers[at]!;
    for (let k = 1; k <= workers.length; k++) {
      const worker = workers[(at + k + workers.length) % workers.length]!;
      if (worker.currentUsage === 0) {
        current = worker.id;
        return worker;
      }
    }
    return null;
  };
}
