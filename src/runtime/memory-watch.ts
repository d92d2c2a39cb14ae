/** How often the host's resident memory is read while a watched task runs. */
const INTERVAL_MS = 10;
/** polls with no task running before the poll stops */
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
 */
export class MemoryWatch {
  private readonly tasks = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  /** stopped workers that have not exited yet */
  private dying = 0;
  private idlePolls = 0;

  /** @param limitBytes growth allowed per task; 0 turns the watch off */
  constructor(private readonly limitBytes: number) {}

  /** Watches one task from now; `exceeded` is called at most once. Returns the function that ends the watch. */
  watch(exceeded: (grewBy: number) => void): () => void {
    if (!this.limitBytes) return () => {};
    // While the poll runs its last reading is at most one interval old: close enough, and it spares each call a
    // reading (~6 µs) and a timer. The poll outlives its tasks by IDLE_POLLS, so back-to-back calls keep it.
    if (!this.timer) {
      this.last = process.memoryUsage.rss();
      this.timer = setInterval(() => this.poll(), INTERVAL_MS).unref();
    }
    this.idlePolls = 0;
    const entry: Watched = { base: this.last, exceeded };
    this.tasks.add(entry);
    return () => {
      this.tasks.delete(entry);
    };
  }

  /**
   * A stopped worker goes on allocating until its thread really ends (a C++ builtin can run for many seconds):
   * growth until `exited` settles is charged to no task, so the call that runs next is not blamed for it.
   */
  dyingUntil(exited: Promise<unknown>): void {
    this.dying++;
    void exited.finally(() => this.dying--);
  }

  private poll(): void {
    const rss = (this.last = process.memoryUsage.rss());
    if (this.dying) {
      for (const task of this.tasks) task.base = Math.max(task.base, rss);
      return;
    }
    // decided on one reading before any task is stopped, so the order tasks were added in cannot spare one
    const over = [...this.tasks].filter((task) => rss - task.base > this.limitBytes);
    for (const task of over) {
      this.tasks.delete(task);
      task.exceeded(rss - task.base);
    }
    if (this.tasks.size === 0 && ++this.idlePolls >= IDLE_POLLS) this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
