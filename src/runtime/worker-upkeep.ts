import { isBooted, newBootMarks } from '../core/boot-marks.js';
import { clock } from '../core/progress.js';
import type { Logger } from './observability.js';
import type { MemoryWatch } from './memory-watch.js';
import type { Piscina } from './cjs-deps.js';

/** how long after a worker is gone its replacement is started: past the calls that come right after the stop */
const TOPUP_DELAY_MS = 20;
/** how often the boot watchdog looks at the pool's workers */
const BOOT_WATCH_MS = 1000;

type Worker = Piscina['threads'][number];

/**
 * Keeps a pool at its thread count without taxing the calls around a worker's stop, and never stuck on a boot.
 *
 * Workers count as ready only once booted (thread-entry.cts), and the pool has no minimum (pool-runner.ts), so
 * Piscina does not replace a stopped worker at once: a boot costs ~150 ms of CPU (the thread, SES, lockdown, the
 * plugins), and started at the stop it competed with the next calls for the cores (the call after a runaway's took
 * 15-150x a normal one). The replacement starts TOPUP_DELAY_MS later instead. And a worker whose boot never ends (a
 * plugin's module or factory that loops in that worker only) would never be handed a run whose timeout stops it:
 * the watchdog stops it once its boot has taken longer than loading may.
 */
export class WorkerUpkeep {
  /** the boot marks the pool's workers set (workerData.booted) */
  readonly marks = newBootMarks();
  private pool: Piscina | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly threads: number, private readonly bootLimitMs: number, private readonly logger: Logger,
    private readonly memory: MemoryWatch) {}

  attach(pool: Piscina): void {
    this.pool = pool;
    pool.on('workerDestroy', () => {
      if (!this.closed) setTimeout(() => this.topUp(), TOPUP_DELAY_MS).unref();
    });
    this.watchdog = this.watchBoots(pool);
  }

  /** whether any worker of the pool has booted, so that a queued run can start at all */
  anyBooted(): boolean {
    return !!this.pool?.threads.some((worker) => isBooted(this.marks, worker.threadId));
  }

  close(): void {
    this.closed = true;
    clearInterval(this.watchdog);
  }

  /**
   * Piscina starts a worker when a run finds every worker busy: a trivial run goes to each worker there is, plus
   * one per missing worker. They finish at once; the new workers boot before any call is handed to them.
   */
  private topUp(): void {
    const pool = this.pool!;
    const have = pool.threads.length;
    const missing = this.threads - have;
    if (missing <= 0 || this.closed) return;
    for (let i = 0; i < have + missing; i++) void pool.run({ op: 'load', ids: [] }).catch(() => {});
  }

  private watchBoots(pool: Piscina): NodeJS.Timeout {
    const seen = new WeakMap<Worker, number>();
    const stopped = new WeakSet<Worker>();
    return setInterval(() => {
      const now = clock();
      for (const worker of pool.threads) {
        if (stopped.has(worker) || isBooted(this.marks, worker.threadId)) continue;
        const since = seen.get(worker) ?? now;
        seen.set(worker, since);
        if (now - since < this.bootLimitMs) continue;
        this.logger.warn(`a worker did not finish booting in ${this.bootLimitMs / 1000} s (a plugin's module or factory kept it busy): it was stopped`);
        stopped.add(worker);
        this.memory.dyingUntil(exited(worker));
        void worker.terminate();
      }
    }, BOOT_WATCH_MS).unref();
  }
}

/** settles when a worker's thread has ended */
export const exited = (worker: { once(event: 'exit', listener: () => void): unknown }): Promise<void> =>
  new Promise<void>((resolve) => worker.once('exit', resolve));
