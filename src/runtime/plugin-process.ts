import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { failures, safeText, type Failure } from '../core/failures.js';
import type { Logger } from './observability.js';
import type { FromChild, ProcessTask, ToChild } from '../core/process-protocol.js';
import type { PoolData } from '../core/protocol.js';

const ENTRY = new URL('../sandbox/process-entry.js', import.meta.url);

/** How long a new process may take to boot and accept its init message; not counted in any plugin's timeout. */
const READY_TIMEOUT_MS = 15_000;
/** Output lines a process may send to the logger per task (and while idle), so a plugin cannot flood it. */
const LINES_PER_TASK = 200;
const MAX_LINE = 2000;
/** The end of stderr kept to explain a crash (V8 prints its fatal errors there). */
const STDERR_TAIL = 8192;
/** After the exit, how long to wait for the last of stderr before describing the crash. */
const STDERR_GRACE_MS = 200;

export interface ProcessOptions {
  heapMb: number;
  logger: Logger;
  /** a store request from one of the process's plugins */
  onStore(message: unknown): void;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };
export type Reply = { ok: true; value: unknown } | { ok: false; failure: Failure };

/**
 * One forked plugin process: boots, takes one task at a time, and can be SIGKILLed at any moment. It keeps no
 * handle that would hold the host's event loop open; the caller's timers do that while a task runs.
 */
export class PluginProcess {
  readonly ready: Promise<void>;
  /** settles once the process has exited and its stderr is read (or the grace period passed) */
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;
  private current: { seq: number; settle(reply: Reply): void } | undefined;
  private seq = 0;
  private tail = '';
  private lines = 0;
  private gone: Exit | undefined;
  /** how the process ended, once it has and its stderr is read */
  private ended: Failure | undefined;
  private killed = false;
  /** booted and initialized: a task sent now starts at once */
  booted = false;

  constructor(data: PoolData, private readonly options: ProcessOptions) {
    // fork may throw at once (EAGAIN, ENOMEM): the caller turns that into a failure
    this.child = fork(ENTRY, [], {
      serialization: 'advanced',
      env: {},
      execArgv: [`--max-old-space-size=${options.heapMb}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let started: (err?: Error) => void = () => {};
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => started(new Error(`it did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
      started = (err) => {
        started = () => {};
        clearTimeout(timer);
        if (!err) {
          this.booted = true;
          return resolve();
        }
        this.kill();
        reject(err);
      };
    });
    this.ready.catch(() => {});
    this.exited = new Promise((resolve) => {
      let grace: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(grace);
        resolve(this.gone!);
      };
      this.child.once('exit', (code, signal) => {
        this.gone = { code, signal };
        grace = setTimeout(done, STDERR_GRACE_MS);
      });
      // a process that never started (spawn ENOENT) closes without an exit
      this.child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.gone ??= { code, signal };
        done();
      });
    });
    void this.exited.then((exit) => {
      const failure = (this.ended = this.describeExit(exit));
      started(new Error(failure.message));
      this.current?.settle({ ok: false, failure });
    });
    // spawn failures and failed sends; either way the process is of no further use
    this.child.on('error', (err) => {
      started(err);
      this.kill();
    });
    this.child.on('message', (message: FromChild) => {
      if (message.type === 'ready') started();
      else if (message.type === 'store') this.options.onStore(message.message);
      else if (this.current?.seq === message.seq) this.current.settle(message.ok ? { ok: true, value: message.value } : { ok: false, failure: message.failure });
    });
    this.route(this.child.stdout!, 'info');
    this.route(this.child.stderr!, 'warn');
    this.post({ type: 'init', data });
    this.child.unref();
    this.child.channel?.unref();
  }

  /** Sends one task; resolves with its reply, or with a failure describing how the process died meanwhile. */
  request(task: ProcessTask): Promise<Reply> {
    const seq = ++this.seq;
    this.lines = 0;
    this.tail = '';
    return new Promise((resolve) => {
      if (this.ended) return resolve({ ok: false, failure: this.ended });
      this.current = {
        seq,
        settle: (reply) => {
          this.current = undefined;
          resolve(reply);
        },
      };
      this.post({ type: 'task', seq, task });
    });
  }

  /** Hands the process a reply of the manager's store. */
  relayStore(message: unknown): void {
    this.post({ type: 'store', message });
  }

  /** Resident memory in bytes, from /proc; undefined where there is no /proc or the process is gone. */
  rss(): number | undefined {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.child.pid}/status`, 'latin1'));
      return match ? Number(match[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  get alive(): boolean {
    return !this.killed && this.gone === undefined;
  }

  kill(): void {
    if (!this.alive) return;
    this.killed = true;
    this.child.kill('SIGKILL');
  }

  private post(message: ToChild): void {
    // a closed channel shows up as an exit; the exit handler settles whatever waited on it
    if (this.child.connected) this.child.send(message, (err: Error | null) => err && this.kill());
  }

  /** V8 prints its fatal out-of-memory errors on stderr, then aborts (SIGABRT) or traps (SIGTRAP); else a plain exit. */
  private describeExit(exit: Exit): Failure {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const aborted = exit.signal === 'SIGABRT' || exit.signal === 'SIGTRAP';
    const fatal = aborted && /^.*(out of memory|heap limit|allocation failed|invalid size error|invalid array length).*$/im.exec(this.tail);
    if (fatal) return failures.outOfMemory(`plugin process ran out of memory (${safeText(fatal[0].trim(), 200)})`);
    return failures.workerExited(`plugin process ${how}`);
  }

  private route(stream: NodeJS.ReadableStream, level: 'info' | 'warn'): void {
    stream.setEncoding('utf8');
    let partial = '';
    stream.on('data', (chunk: string) => {
      if (level === 'warn') this.tail = (this.tail + chunk).slice(-STDERR_TAIL);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!.slice(0, MAX_LINE);
      for (const line of lines) this.log(level, line);
    });
    stream.on('end', () => partial && this.log(level, partial));
    (stream as unknown as { unref?(): void }).unref?.();
  }

  private log(level: 'info' | 'warn', line: string): void {
    if (!line.trim() || ++this.lines > LINES_PER_TASK) return;
    // the child's output is the plugin's (or V8's, quoting it): escaped, so it cannot forge lines or steer a terminal
    const text = this.lines === LINES_PER_TASK ? '(further output of this task dropped)' : safeText(line, MAX_LINE);
    this.options.logger[level](`[plugin process ${this.child.pid}] ${text}`);
  }
}
