import type { Piscina } from './cjs-deps.js';

type Balancer = NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer'] & {};

/**
 * Hands each run to the next idle worker in turn. Piscina's default takes the first idle one, so sequential calls
 * all went to one worker and the others only ever loaded: when a runaway's worker was stopped, the calls after it
 * ran on a worker whose code V8 had never optimized, at 10x a normal call. In turn, every worker stays hot.
 * Runs carry an abort signal, so a worker takes one at a time: only an idle worker is a candidate.
 */
export function roundRobin(): Balancer {
  let next = 0;
  return (_task, workers) => {
    for (let k = 0; k < workers.length; k++) {
      const i = (next + k) % workers.length;
      if (workers[i]!.currentUsage === 0) {
        next = i + 1;
        return workers[i]!;
      }
    }
    return null;
  };
}
