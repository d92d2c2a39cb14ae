/** How often the host's resident memory is read while a watched task runs. */
const INTERVAL_MS = 10;

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

  /** @param limitBytes growth allowed per task; 0 turns the watch off */
  constructor(private readonly limitBytes: number) {}

  /** Watches one task from now; `exceeded` is called at most once. Returns the function that ends the watch. */
  watch(exceeded: (grewBy: number) => void): () => void {
    if (!this.limitBytes) return () => {};
    // while the poll runs its last reading is at most one interval old: close enough, and reading costs ~6 µs
    if (!this.timer) {
      this.last = process.memoryUsage.rss();
      this.timer = setInterval(() => this.poll(), INTERVAL_MS).unref();
    }
    const entry: Watched = { base: this.last, exceeded };
    this.tasks.add(entry);
    return () => {
      this.tasks.delete(entry);
      if (this.tasks.size === 0) this.stop();
    };
  }

  private poll(): void {
    this.last = process.memoryUsage.rss();
    for (const task of this.tasks) {
      const grew = this.last - task.base;
      if (grew > this.limitBytes) {
        this.tasks.delete(task);
        task.exceeded(grew);
      }
    }
    if (this.tasks.size === 0) this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
