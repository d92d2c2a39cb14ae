/** How often the host's resident memory is read while a watched task runs. */
const BUSY_MS = 10;
/** How often it is read while the pool's workers are idle: they can still grow (work a plugin left behind). */
const IDLE_MS = 50;
/** busy polls with no task running before the poll slows down */
const IDLE_POLLS = 50;

interface Watched {
  base: number;
  exceeded(grewBy: number): void;
}

/**
 * The thread pool's memory watchdog. Threads share one process, so the only memory a thread's task can be held to
 * is the growth of the host's resident set while it runs; this counts what a worker's V8 heap limit does not
 * (ArrayBuffers, Buffers) and stops a task before its worker reaches the heap limit, where some allocation shapes
 * abort the whole process (nodejs/node#47224). Growth cannot be told apart by thread, so every task running while
 * memory grew past the limit is stopped, and growth caused by the host itself counts too.
 *
 * It watches for as long as the pool has workers, not only during tasks: growth while no task runs (work a plugin
 * left running after its invocation) past the same limit is reported to `idleGrowth`, which stops the idle workers.
 */
export class MemoryWatch {
  private readonly tasks = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  /** stopped workers that have not exited yet */
  private dying = 0;
  /** the reading when the pool last became idle; undefined while tasks run */
  private idleBase: number | undefined;
  private closed = false;
  private busy = false;
  private idlePolls = 0;

  /**
   * @param limitBytes growth allowed per task, and while idle; 0 turns the watch off
   * @param idleGrowth called when memory grew past the limit while no task ran
   */
  constructor(private readonly limitBytes: number, private readonly idleGrowth: (grewBy: number) => void = () => {}) {
    if (limitBytes) this.schedule(IDLE_MS);
  }

  /** Watches one task from now; `exceeded` is called at most once. Returns the function that ends the watch. */
  watch(exceeded: (grewBy: number) => void): () => void {
    if (!this.limitBytes || this.closed) return () => {};
    // While the fast poll runs its last reading is at most one interval old: close enough, and it spares each call
    // a reading (~6 µs) and a timer. It outlives its tasks by IDLE_POLLS, so back-to-back calls keep it.
    if (!this.busy) {
      this.last = process.memoryUsage.rss();
      this.busy = true;
      this.schedule(BUSY_MS);
    }
    this.idleBase = undefined;
    this.idlePolls = 0;
    const entry: Watched = { base: this.last, exceeded };
    this.tasks.add(entry);
    return () => {
      this.tasks.delete(entry);
    };
  }

  /**
   * A stopped worker goes on allocating until its thread really ends (a C++ builtin can run for many seconds):
   * growth until `exited` settles is charged to no task, so the call that runs next is not blamed for it. Every
   * stop registers here (a timeout, a cancel, a stall, the memory limit), not only the watchdog's own.
   */
  dyingUntil(exited: Promise<unknown>): void {
    this.dying++;
    void exited.finally(() => this.dying--);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), ms).unref();
  }

  private poll(): void {
    this.timer = undefined;
    if (this.closed) return;
    const rss = (this.last = process.memoryUsage.rss());
    if (this.dying) {
      for (const task of this.tasks) task.base = Math.max(task.base, rss);
      this.idleBase = undefined;
    } else if (this.tasks.size) {
      // decided on one reading before any task is stopped, so the order tasks were added in cannot spare one
      const over = [...this.tasks].filter((task) => rss - task.base > this.limitBytes);
      for (const task of over) {
        this.tasks.delete(task);
        task.exceeded(rss - task.base);
      }
    } else if (this.idleBase === undefined) {
      this.idleBase = rss;
    } else if (rss - this.idleBase > this.limitBytes) {
      const grew = rss - this.idleBase;
      this.idleBase = undefined;
      this.idleGrowth(grew);
    }
    if (this.tasks.size === 0 && ++this.idlePolls >= IDLE_POLLS) this.busy = false;
    this.schedule(this.busy ? BUSY_MS : IDLE_MS);
  }
}
