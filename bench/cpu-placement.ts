import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

/**
 * Thread placement for steady latency figures. On 2 cores a thread hop costs ~16 µs when the worker shares the
 * main thread's CPU and ~80 µs when it does not, and the scheduler moves threads every few seconds, so unpinned
 * latency ratios swing several-fold between runs. Pinning the main thread to one CPU and every other thread
 * (workers, libuv and V8 helpers) to another makes every hop cross CPUs, every time.
 *
 * Linux only, through `taskset` (util-linux) on each thread id of /proc/self/task. Threads started later inherit
 * the affinity of the thread that created them (often the main thread's CPU), so call `pinThreads()` again after
 * a pool starts or replaces a worker.
 */

export interface Placement {
  /** `split`: main thread on one CPU, the rest on another; `spread`: every thread may use every allowed CPU. */
  mode: 'split' | 'spread' | 'none';
  active: boolean;
  note: string;
  cpus: number[];
  threads: number;
}

let allowed: number[] | null | undefined;

/** Parses a CPU list as taskset prints it: "0,1", "0-3,8". */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`not a CPU list: ${JSON.stringify(text)}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let c = lo; c <= hi; c++) cpus.push(c);
  }
  return cpus;
}

function taskset(args: string[]): string {
  return execFileSync('taskset', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The CPUs this process could use when first asked (before any pinning narrowed them), or why none can be chosen. */
function allowedCpus(): number[] | string {
  if (allowed === undefined) {
    if (process.platform !== 'linux') return `pinning needs Linux (this is ${process.platform})`;
    try {
      const out = taskset(['-p', '-c', String(process.pid)]);
      allowed = parseCpuList(out.slice(out.lastIndexOf(':') + 1));
    } catch (err) {
      allowed = null;
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? 'taskset not found (install util-linux)' : `taskset failed: ${(err as Error).message}`;
    }
  }
  if (allowed === null) return 'taskset is unavailable';
  return allowed;
}

function threadIds(): number[] {
  return readdirSync('/proc/self/task').map(Number);
}

/** Sets each thread's CPUs; a thread that ended meanwhile is skipped. Returns how many were set. */
function place(cpusFor: (tid: number) => number[]): number {
  let placed = 0;
  for (const tid of threadIds()) {
    try {
      taskset(['-p', '-c', cpusFor(tid).join(','), String(tid)]);
      placed++;
    } catch {
      // The thread exited between listing and pinning; nothing to place.
    }
  }
  return placed;
}

/** Main thread to the first allowed CPU, every other thread to the second. */
export function pinThreads(): Placement {
  const cpus = allowedCpus();
  if (typeof cpus === 'string') return { mode: 'none', active: false, note: cpus, cpus: [], threads: 0 };
  if (cpus.length < 2) {
    return { mode: 'none', active: false, note: `only ${cpus.length} CPU available, nothing to split`, cpus, threads: 0 };
  }
  const [main, other] = cpus as [number, number];
  const threads = place((tid) => (tid === process.pid ? [main] : [other]));
  return { mode: 'split', active: true, note: `main thread on CPU ${main}, other threads on CPU ${other}`, cpus: [main, other], threads };
}

/** Every thread back on every allowed CPU (for scenarios that measure parallel scaling). */
export function unpinThreads(): Placement {
  const cpus = allowedCpus();
  if (typeof cpus === 'string') return { mode: 'none', active: false, note: cpus, cpus: [], threads: 0 };
  const threads = place(() => cpus);
  return { mode: 'spread', active: false, note: `all threads on CPUs ${cpus.join(',')}`, cpus, threads };
}
