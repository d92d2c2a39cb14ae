import { FailureError, failures, toFailure, type Failure } from '../core/failures.js';
import { MemoryWatch } from './memory-watch.js';
import type { Logger } from './observability.js';
import type { Runner, Segment } from './runners.js';
import type { PluginSettings } from './config.js';
import { clock, ProgressBuffers, readLoggedOutcomes, readProgress } from '../core/progress.js';
import type { LoadReply, PoolData, ShutdownTask } from '../core/protocol.js';
import { LoadReplySchema } from '../core/protocol.js';
import { Piscina } from './cjs-deps.js';

const WORKER_FILE = new URL('../sandbox/thread-entry.cjs', import.meta.url).href;
/** how long a run handed to a worker may wait to start before that worker counts as stuck (booting ones included) */
const STALL_MS = 5000;

/**
 * Runs segments on a Piscina pool, one task per segment. Each task carries a shared progress record; one timer per
 * task follows it, so every plugin's timeout counts from the moment that plugin starts (Piscina's own timeout
 * would count queue time), and a plugin past its deadline has its task aborted, which terminates its worker.
 */
export class PoolRunner implements Runner {
  private readonly pool: Piscina;
  private readonly buffers = new ProgressBuffers();
  private readonly memory: MemoryWatch;

  constructor(data: PoolData, private readonly settings: PluginSettings, private readonly logger: Logger, readonly batches: boolean) {
    this.memory = new MemoryWatch(settings.worker_rss_growth_mb * 2 ** 20);
    this.pool = new Piscina({
      filename: WORKER_FILE,
      workerData: data,
      // All workers start at once and stay (Infinity is Piscina's "never retire"): after a runaway is killed, the
      // next call finds another warm worker while the replacement boots.
      minThreads: settings.threads,
      maxThreads: settings.threads,
      idleTimeout: Infinity,
      concurrentTasksPerWorker: 1,
      atomics: 'disabled',
      env: {},
      execArgv: [],
      resourceLimits: {
        maxOldGenerationSizeMb: settings.worker_heap_mb,
        maxYoungGenerationSizeMb: settings.worker_young_heap_mb,
        stackSizeMb: settings.worker_stack_mb,
      },
    });
    // a worker that dies between tasks (a plugin's stray timer throwing, say) is replaced by Piscina; log it only
    this.pool.on('error', (err: unknown) => this.logger.warn(`worker error outside a task: ${toFailure(err).message}`));
  }

  async load(ids: string[]): Promise<LoadReply> {
    try {
      return LoadReplySchema.parse(await this.pool.run({ op: 'load', ids }));
    } catch (err) {
      const failure = toFailure(err, 'LOAD_FAILED');
      return ids.map((id) => ({ id, failure }));
    }
  }

  async run(segment: Segment): Promise<unknown[]> {
    const progress = this.buffers.acquire();
    const controller = new AbortController();
    const { timeoutsMs } = segment;
    let timedOut = -1;
    let stalled = false;
    const dispatched = clock();
    let timer: NodeJS.Timeout | undefined;
    // No plugin after index i can reach its deadline sooner than the smallest timeout among them, counted from now.
    const soonest = timeoutsMs.map((_, i) => Math.min(...timeoutsMs.slice(i)));
    const watch = (delay: number) => {
      timer = setTimeout(() => {
        const { running, startedAt } = readProgress(progress);
        if (running < 0) {
          // Not started, and nothing queued: the run was handed to a worker that never picks it up, held by an
          // endless microtask loop a plugin left behind. Stop that worker.
          if (this.pool.queueSize === 0 && clock() - dispatched >= Math.max(soonest[0]!, STALL_MS)) {
            stalled = true;
            return controller.abort();
          }
          return watch(soonest[0]!);
        }
        const left = startedAt + timeoutsMs[running]! - clock();
        if (left > 0) return watch(Math.min(left, soonest[running + 1] ?? Infinity));
        timedOut = running;
        controller.abort();
      }, Math.max(1, delay));
    };
    watch(soonest[0]!);
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      controller.abort();
    };
    segment.signal?.addEventListener('abort', cancel, { once: true });
    let outgrown: FailureError | undefined;
    const unwatch = this.memory.watch((grew) => {
      outgrown = new FailureError(outgrownFailure(grew, this.settings.worker_rss_growth_mb));
      const before = this.pool.threads;
      controller.abort();
      // Piscina drops the aborted task's worker from its list at once; it is dying until its thread exits
      for (const worker of before) {
        if (!this.pool.threads.includes(worker)) this.memory.dyingUntil(new Promise((resolve) => worker.once('exit', resolve)));
      }
    });
    const { timeoutsMs: _, signal: __, ...rest } = segment;
    try {
      const outcomes = (await this.pool.run({ op: 'chain', ...rest, progress }, { signal: controller.signal })) as unknown[];
      this.buffers.release(progress);
      return outcomes;
    } catch (err) {
      return this.recover(progress, timedOut, timeoutsMs, cancelled ? 'cancelled' : stalled ? 'stalled' : outgrown ?? err);
    } finally {
      unwatch();
      clearTimeout(timer);
      segment.signal?.removeEventListener('abort', cancel);
    }
  }

  /** The outcomes logged before the worker was stopped or died, then the failure of the plugin that was running. */
  private recover(progress: SharedArrayBuffer, timedOut: number, timeoutsMs: number[], err: unknown): unknown[] {
    const { running, startedAt } = readProgress(progress);
    const index = timedOut >= 0 ? timedOut : Math.max(running, 0);
    const ms = running >= 0 ? clock() - startedAt : 0;
    const failure = timedOut >= 0 ? failures.timeout(timeoutsMs[timedOut]!) : crashFailure(err, running);
    const logged = readLoggedOutcomes(progress).slice(0, index);
    while (logged.length < index) logged.push({ ok: false, failure: failures.outcomeLost(), ms: 0 });
    return [...logged, { ok: false, failure, ms }];
  }

  /** Calls every loaded plugin's shutdown once in each worker: all workers join a barrier, so each takes one task. */
  async shutdownPlugins(): Promise<string[]> {
    const workers = this.pool.threads.length;
    const barrier = new SharedArrayBuffer(4);
    const tasks = Array.from({ length: workers }, () => {
      const task: ShutdownTask = { op: 'shutdown', barrier, workers };
      return this.pool.run(task, { signal: AbortSignal.timeout(5000) }).then(
        (problems) => problems as string[],
        (err: unknown) => [`shutdown task failed: ${(err as Error)?.message ?? err}`],
      );
    });
    return (await Promise.all(tasks)).flat();
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

function crashFailure(err: unknown, running: number): Failure {
  if (err instanceof FailureError) return err.failure;
  if (err === 'cancelled') return failures.cancelled();
  if (err === 'stalled') return failures.stalled();
  const code = (err as { code?: string })?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return failures.outOfMemory('worker ran out of memory');
  if (running < 0) return toFailure(err, 'POOL_ERROR');
  if ((err as Error)?.name === 'AbortError') return failures.workerExited('run was cancelled');
  return toFailure(err, 'WORKER_EXITED');
}

const outgrownFailure = (grew: number, limitMb: number): Failure => failures.outOfMemory(
  `worker stopped: the process's resident memory grew by ${Math.round(grew / 2 ** 20)} MB while it ran (worker_rss_growth_mb: ${limitMb})`,
  { grew_mb: Math.round(grew / 2 ** 20), limit_mb: limitMb },
);
