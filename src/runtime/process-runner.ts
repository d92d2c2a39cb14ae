import type { PluginSettings } from './config.js';
import { failures, type Failure } from '../core/failures.js';
import type { Logger } from './observability.js';
import { PluginProcess, type Reply } from './plugin-process.js';
import type { Runner, Segment } from './runners.js';
import { clock } from '../core/progress.js';
import type { ProcessTask } from '../core/process-protocol.js';
import type { StoreReply } from '../core/store-protocol.js';
import { LoadReplySchema, type LoadReply, type PoolData } from '../core/protocol.js';
import { loadDeadlineMs } from '../core/loader.js';

/** How often a busy process's resident memory is read; a bomb can outgrow its limit by what it allocates in this. */
const WATCH_INTERVAL_MS = 10;
/** An idle process is read every this many intervals: nothing of a plugin should run there, but it is checked. */
const IDLE_EVERY = 10;
const SHUTDOWN_TIMEOUT_MS = 5000;
/** what a load task may take beyond the sum of its plugins' load deadlines */
const LOAD_MARGIN_MS = 2000;
/** After SIGKILL, how long close() waits for a process to be reaped before it stops waiting. */
const REAP_TIMEOUT_MS = 2000;

interface Job {
  task: ProcessTask;
  timeoutMs: number;
  /** a job for one particular process (load and shutdown); any idle process otherwise */
  slot?: number;
  signal?: AbortSignal;
  settle(reply: Reply): void;
}

interface Slot {
  proc: PluginProcess | null;
  job: Job | null;
  /** kills the busy process and settles its job with the given failure (a timeout, the memory limit, a cancel) */
  stop: ((failure: Failure) => void) | null;
}

/**
 * `isolation: process`: plugins run in forked Node processes, one plugin per task, one task per process at a time.
 * A process that overruns its plugin's timeout, outgrows its memory limit (resident memory, so ArrayBuffers count
 * too) or is cancelled is SIGKILLed and replaced; that stops what no thread can be stopped from (a C++ builtin
 * filling a huge array, an allocation V8 treats as fatal). A process that dies while idle is replaced when next needed.
 */
export class ProcessRunner implements Runner {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private readonly live = new Set<PluginProcess>();
  private watch: NodeJS.Timeout | undefined;
  private ticks = 0;
  private closed = false;
  /**
   * @param store answers one store request from this pool's processes: the process's IPC channel is the identity,
   * and the reply goes back to that process only
   */
  constructor(private readonly data: PoolData, private readonly settings: PluginSettings, private readonly logger: Logger,
    readonly batches: boolean, private readonly store: (request: unknown) => Promise<StoreReply | undefined>) {
    this.slots = Array.from({ length: settings.processes }, () => ({ proc: null, job: null, stop: null }));
  }

  /** Loads in every process, so each is warm; a plugin fails to load if it fails in any of them. */
  async load(ids: string[]): Promise<LoadReply> {
    // beyond each plugin's own load deadline in the process (loader.ts), so a factory that never settles is named
    const timeoutMs = ids.reduce((sum, id) => sum + loadDeadlineMs(this.data.plugins.find((p) => p.id === id)?.timeoutMs ?? 0), LOAD_MARGIN_MS);
    const replies = await Promise.all(this.slots.map((_, slot) => this.submit({ op: 'load', ids }, timeoutMs, slot)));
    const parsed = replies.map((reply) => (reply.ok ? LoadReplySchema.safeParse(reply.value) : null));
    return ids.map((id, k) => {
      for (const [i, reply] of replies.entries()) {
        if (!reply.ok) return { id, failure: reply.failure };
        const entry = parsed[i]?.success ? parsed[i].data[k] : undefined;
        if (!entry || entry.id !== id) return { id, failure: failures.loadFailed('invalid load reply from a plugin process') };
        if ('failure' in entry) return entry;
      }
      return (parsed[0] as { data: LoadReply }).data[k]!;
    });
  }

  /**
   * Runs the segment's first plugin only: one plugin per task, so a kill costs only that plugin (the level does not
   * batch, so the executor sends one plugin per segment anyway).
   */
  async run(segment: Segment): Promise<unknown[]> {
    const { timeoutsMs, signal, plugins, ...rest } = segment;
    const started = clock();
    const reply = await this.submit({ op: 'chain', ...rest, plugins: [plugins[0]!] }, timeoutsMs[0]!, undefined, signal);
    return reply.ok ? (reply.value as unknown[]) : [{ ok: false, failure: reply.failure, ms: clock() - started }];
  }

  async shutdownPlugins(): Promise<string[]> {
    const tasks = this.slots.map((slot, i) => (slot.proc?.alive ? this.submit({ op: 'shutdown' }, SHUTDOWN_TIMEOUT_MS, i) : null));
    const replies = await Promise.all(tasks.filter((t) => t !== null));
    return replies.flatMap((reply) => (reply.ok ? (reply.value as string[]) : [`shutdown task failed: ${reply.failure.message}`]));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.settle({ ok: false, failure: failures.poolClosed() });
    const exits = [...this.live].map((p) => (p.kill(), p.exited));
    clearInterval(this.watch);
    // the processes hold no reference on the event loop, so this timer is what keeps it alive until they are reaped
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(exits), new Promise((r) => (timer = setTimeout(r, REAP_TIMEOUT_MS)))]);
    clearTimeout(timer);
  }

  private submit(task: ProcessTask, timeoutMs: number, slot?: number, signal?: AbortSignal): Promise<Reply> {
    if (this.closed) return Promise.resolve({ ok: false, failure: failures.poolClosed() });
    if (signal?.aborted) return Promise.resolve({ ok: false, failure: failures.cancelled() });
    return new Promise((resolve) => {
      const job: Job = { task, timeoutMs, slot, signal, settle: resolve };
      const dequeue = () => {
        const at = this.queue.indexOf(job);
        if (at >= 0) this.queue.splice(at, 1), resolve({ ok: false, failure: failures.cancelled() });
      };
      signal?.addEventListener('abort', dequeue, { once: true });
      job.settle = (reply) => {
        signal?.removeEventListener('abort', dequeue);
        resolve(reply);
      };
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Hands queued jobs to idle slots, those with a booted process first (a replacement may still be starting). */
  private dispatch(): void {
    if (this.closed) return;
    const idle = this.slots.map((slot, i) => ({ slot, i })).filter(({ slot }) => !slot.job);
    idle.sort((a, b) => Number(!!b.slot.proc?.booted && b.slot.proc.alive) - Number(!!a.slot.proc?.booted && a.slot.proc.alive));
    for (const { slot, i } of idle) {
      const at = this.queue.findIndex((job) => job.slot === undefined || job.slot === i);
      if (at >= 0 && !slot.job) void this.start(i, this.queue.splice(at, 1)[0]!);
    }
  }

  private async start(index: number, job: Job): Promise<void> {
    const slot = this.slots[index]!;
    slot.job = job;
    let reply: Reply;
    try {
      reply = await this.execute(slot, await this.processFor(slot), job);
    } catch (err) {
      reply = { ok: false, failure: failures.workerExited(`could not start a plugin process: ${(err as Error)?.message ?? err}`) };
    }
    slot.job = null;
    job.settle(reply);
    this.dispatch();
  }

  /** Sends the job once the process is idle and ready, so neither queueing nor booting counts in the timeout. */
  private async execute(slot: Slot, proc: PluginProcess, job: Job): Promise<Reply> {
    if (job.signal?.aborted) return { ok: false, failure: failures.cancelled() };
    let stopped!: (reply: Reply) => void;
    const verdict = new Promise<Reply>((resolve) => (stopped = resolve));
    slot.stop = (failure) => {
      slot.stop = null;
      proc.kill();
      stopped({ ok: false, failure });
    };
    const timer = setTimeout(() => slot.stop?.(failures.timeout(job.timeoutMs)), job.timeoutMs);
    const cancel = () => slot.stop?.(failures.cancelled());
    job.signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await Promise.race([proc.request(job.task), verdict]);
    } finally {
      slot.stop = null;
      clearTimeout(timer);
      job.signal?.removeEventListener('abort', cancel);
      if (!proc.alive) this.replace(slot);
    }
  }

  /** The slot's process, started if there is none (or it died while idle). */
  private async processFor(slot: Slot): Promise<PluginProcess> {
    if (!slot.proc?.alive) slot.proc = this.spawn();
    const proc = slot.proc;
    await proc.ready;
    if (this.closed) throw new Error('the plugin pool was closed');
    return proc;
  }

  /** After a kill or a crash, the replacement boots at once, so the next task does not wait for it. */
  private replace(slot: Slot): void {
    slot.proc = null;
    if (this.closed) return;
    try {
      slot.proc = this.spawn();
    } catch (err) {
      this.logger.warn(`could not start a plugin process: ${(err as Error)?.message ?? err}`);
    }
  }

  private spawn(): PluginProcess {
    const proc: PluginProcess = new PluginProcess(this.data, {
      heapMb: this.settings.process_heap_mb, logger: this.logger,
      onStore: (message) => void this.store(message).then((reply) => reply && proc.relayStore(reply)),
    });
    this.live.add(proc);
    void proc.exited.then(() => this.live.delete(proc));
    this.watchMemory();
    return proc;
  }

  /**
   * While any process exists, reads each one's resident memory and kills it past the limit: a busy one every
   * interval (its plugin is charged), an idle one less often (no call is failed; it is replaced, and the log says so).
   */
  private watchMemory(): void {
    if (this.watch) return;
    const limit = this.settings.process_rss_mb * 2 ** 20;
    this.watch = setInterval(() => {
      const idleTurn = ++this.ticks % IDLE_EVERY === 0;
      for (const slot of this.slots) {
        const proc = slot.proc;
        if (!proc?.alive || (!slot.job && !idleTurn)) continue;
        const rss = (slot.stop || !slot.job) && proc.rss();
        if (!rss || rss <= limit) continue;
        const mb = Math.round(rss / 2 ** 20);
        if (slot.job) {
          slot.stop?.(failures.outOfMemory(`plugin process exceeded its memory limit of ${this.settings.process_rss_mb} MB (resident ${mb} MB)`,
            { rss_mb: mb, limit_mb: this.settings.process_rss_mb }));
        } else {
          this.logger.warn(`an idle plugin process grew past its memory limit of ${this.settings.process_rss_mb} MB (resident ${mb} MB): replaced`);
          proc.kill();
          this.replace(slot);
        }
      }
      if (this.live.size === 0 || this.closed) {
        clearInterval(this.watch);
        this.watch = undefined;
      }
    }, WATCH_INTERVAL_MS).unref();
  }
}
