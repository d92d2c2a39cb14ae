import { fileURLToPath } from 'node:url';
import { FailureError, failures, toFailure, type Failure } from '../core/failures.js';
import { MemoryWatch } from './memory-watch.js';
import type { Logger } from './observability.js';
import type { Runner, Segment } from './runners.js';
import type { PluginSettings } from './config.js';
import { clock, ProgressBuffers, readLoggedOutcomes, readProgress } from '../core/progress.js';
import type { LoadReply, PoolData, ShutdownTask } from '../core/protocol.js';
import { LoadReplySchema } from '../core/protocol.js';
import { loadDeadlineMs } from '../core/loader.js';
import { Piscina } from './cjs-deps.js';
import { takeTurns } from './take-turns.js';
import { exited, WorkerUpkeep } from './worker-upkeep.js';

// a path, not a file URL: Piscina converts a URL back to a path on every run()
const WORKER_FILE = fileURLToPath(new URL('../sandbox/thread-entry.cjs', import.meta.url));
/** how long a run handed to a worker may wait to start before that worker counts as stuck (booting ones included) */
const STALL_MS = 5000;
/** what a load task may wait for a worker to boot (SES included) on a busy machine, beyond the plugins' deadlines */
const LOAD_BOOT_MS = 10_000;
/** the longest a stopped run waits for its worker's thread to end before it settles */
const STOP_WAIT_MS = 10;

/** what loading these plugins in a fresh worker may take, its boot included */
const loadAllowanceMs = (plugins: Array<{ timeoutMs: number } | undefined>): number =>
  plugins.reduce((sum, p) => sum + loadDeadlineMs(p?.timeoutMs ?? 0), LOAD_BOOT_MS);

/**
 * Runs segments on a Piscina pool, one task per segment. Each task carries a shared progress record; one timer per
 * task follows it, so every plugin's timeout counts from the moment that plugin starts (Piscina's own timeout
 * would count queue time), and a plugin past its deadline has its task aborted, which terminates its worker.
 */
export class PoolRunner implements Runner {
  private readonly pool: Piscina;
  private readonly buffers = new ProgressBuffers();
  /** a new AbortController per run cost ~10 µs of the host's time in a 5-plugin chain (profiled): unaborted ones are reused */
  private readonly controllers: AbortController[] = [];
  private readonly memory: MemoryWatch;
  private readonly upkeep: WorkerUpkeep;

  constructor(private readonly data: PoolData, private readonly settings: PluginSettings, private readonly logger: Logger, readonly batches: boolean) {
    this.memory = new MemoryWatch(settings.worker_rss_growth_mb * 2 ** 20, (grew) => this.recycleIdle(grew));
    this.upkeep = new WorkerUpkeep(settings.threads, loadAllowanceMs(data.plugins), logger, this.memory);
    this.pool = new Piscina({
      filename: WORKER_FILE,
      workerData: { ...data, booted: this.upkeep.marks },
      // load() starts every worker, and they stay (Infinity is Piscina's "never retire") and stay optimized (takeTurns).
      // No minimum: Piscina never starts a worker on its own. It would replace a stopped worker at once, where
      // WorkerUpkeep does it a little later; and it does so on a stopped worker's late exit even after destroy(), so
      // a worker that loops while booting could outlive its pool and keep the process alive (seen once in CI). A run
      // that finds every worker busy makes Piscina start one.
      minThreads: 0,
      loadBalancer: takeTurns(),
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
    this.upkeep.attach(this.pool);
  }

  /**
   * Each plugin's load has its own deadline in the worker (loader.ts); this one stops a worker that a plugin's
   * module or factory keeps busy (a loop), so that initialize() fails instead of hanging. Which of the plugins did
   * it is unknown then, so the failure names them all.
   */
  async load(ids: string[]): Promise<LoadReply> {
    const plugins = ids.map((id) => this.data.plugins.find((p) => p.id === id));
    const ms = loadAllowanceMs(plugins);
    const signal = AbortSignal.timeout(ms);
    try {
      // one load per thread, at once: each finds the others' workers busy, so Piscina starts every worker now
      const replies = await Promise.all(Array.from({ length: this.settings.threads },
        async () => LoadReplySchema.parse(await this.pool.run({ op: 'load', ids }, { signal }))));
      // a plugin that failed to load in any worker failed
      return replies[0]!.map((entry, i) => replies.map((reply) => reply[i]!).find((other) => 'failure' in other) ?? entry);
    } catch (err) {
      const failure: Failure = signal.aborted
        ? failures.loadFailed(`loading did not finish within ${ms / 1000} s (a module or factory of: ${plugins.map((p) => p?.name).join(', ')})`)
        : toFailure(err, 'LOAD_FAILED');
      return ids.map((id) => ({ id, failure }));
    }
  }

  /**
   * A run that never started (its worker was stuck in work an earlier plugin left behind, or was stopped before it
   * began) is sent once more: none of its plugins ran, so neither its first plugin nor anyone else is charged.
   */
  async run(segment: Segment): Promise<unknown[]> {
    const first = await this.attempt(segment);
    if (first !== NOT_STARTED) return first;
    const second = await this.attempt(segment);
    return second !== NOT_STARTED ? second
      : [{ ok: false, failure: failures.stalled(), ms: 0 }];
  }

  private async attempt(segment: Segment): Promise<unknown[] | typeof NOT_STARTED> {
    const progress = this.buffers.acquire();
    const controller = this.controllers.pop() ?? new AbortController();
    const { timeoutsMs } = segment;
    let timedOut = -1;
    let stalled = false;
    const dispatched = clock();
    let timer: NodeJS.Timeout | undefined;
    // Every stop terminates a worker, which may go on allocating until it exits: no task is charged for that.
    const dying: Promise<void>[] = [];
    const stop = () => {
      const before = this.pool.threads;
      controller.abort();
      // Piscina drops the aborted task's worker from its list at once; it is dying until its thread exits
      for (const worker of before) {
        if (this.pool.threads.includes(worker)) continue;
        const gone = exited(worker);
        dying.push(gone);
        this.memory.dyingUntil(gone);
      }
    };
    // No plugin after index i can reach its deadline sooner than the smallest timeout among them, counted from now.
    const soonest = suffixMinima(timeoutsMs);
    const watch = (delay: number) => {
      timer = setTimeout(() => {
        const { running, startedAt } = readProgress(progress);
        if (running < 0) {
          // Not started, and nothing queued: the run was handed to a worker that never picks it up, held by an
          // endless microtask loop a plugin left behind; stop that worker. Or queued while no worker has booted (each
          // held by a plugin's module or factory that loops): none can take it, so it is taken back.
          const cannotStart = this.pool.queueSize === 0 || !this.upkeep.anyBooted();
          const left = Math.max(soonest[0]!, STALL_MS) - (clock() - dispatched);
          if (cannotStart && left <= 0) {
            stalled = true;
            return stop();
          }
          // a timer may fire a little before the clock says its time is up: wait out the rest, not a whole period
          return watch(cannotStart ? left : soonest[0]!);
        }
        const left = startedAt + timeoutsMs[running]! - clock();
        if (left > 0) return watch(Math.min(left, soonest[running + 1] ?? Infinity));
        timedOut = running;
        stop();
      }, Math.max(1, delay));
    };
    watch(soonest[0]!);
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      stop();
    };
    segment.signal?.addEventListener('abort', cancel, { once: true });
    let outgrown: FailureError | undefined;
    const unwatch = this.memory.watch((grew) => {
      outgrown = new FailureError(outgrownFailure(grew, this.settings.worker_rss_growth_mb));
      stop();
    });
    const { timeoutsMs: _, signal: __, ...rest } = segment;
    try {
      const outcomes = (await this.pool.run({ op: 'chain', ...rest, progress }, { signal: controller.signal })) as unknown[];
      this.buffers.release(progress);
      // Piscina took its listener off the signal when the task ended; an unused controller serves the next run
      if (!controller.signal.aborted && this.controllers.length < 256) this.controllers.push(controller);
      return outcomes;
    } catch (err) {
      // A stopped worker spends a few ms tearing down its heap, on the cores the next calls need: the stopped run
      // settles once it is gone, but never later than STOP_WAIT_MS (a C++ builtin can keep a terminated thread
      // running for seconds).
      if (dying.length) await Promise.race([Promise.all(dying), delay(STOP_WAIT_MS)]);
      // stopped by the stall check or the memory watch, or its worker died (stopped by recycleIdle), before any of
      // its plugins began: whatever grew or spun there was left by an earlier run, so nothing here is charged for it
      const lostWorker = stalled || !!outgrown || /^worker exited/.test(String((err as Error)?.message));
      if (lostWorker && !cancelled && timedOut < 0 && readProgress(progress).running < 0) {
        if (stalled) this.logger.warn('a run did not start (its worker was kept busy by work an earlier plugin left behind, or no worker could boot): it was taken back and sent again');
        return NOT_STARTED;
      }
      return this.recover(progress, timedOut, timeoutsMs, cancelled ? 'cancelled' : outgrown ?? err);
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

  /**
   * Memory grew past the limit while no task ran: work a plugin left running after its invocation. The idle workers
   * are stopped (and replaced, as after any stop); no call is failed, and a run that lands on one of them as it
   * stops is sent again.
   */
  private recycleIdle(grew: number): void {
    this.logger.warn(`memory grew by ${Math.round(grew / 2 ** 20)} MB while no task ran (worker_rss_growth_mb: ${this.settings.worker_rss_growth_mb}): `
      + 'work left behind by a plugin; the idle workers were stopped');
    for (const worker of this.pool.threads) {
      this.memory.dyingUntil(exited(worker));
      void worker.terminate();
    }
  }

  async close(): Promise<void> {
    this.upkeep.close();
    this.memory.close();
    await this.pool.destroy();
  }
}

const NOT_STARTED = Symbol('not started');

function suffixMinima(values: number[]): number[] {
  const out = values.slice();
  for (let i = out.length - 2; i >= 0; i--) out[i] = Math.min(out[i]!, out[i + 1]!);
  return out;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));


function crashFailure(err: unknown, running: number): Failure {
  if (err instanceof FailureError) return err.failure;
  if (err === 'cancelled') return failures.cancelled();
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
