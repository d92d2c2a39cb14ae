import { isBarePass, type Outcome } from './protocol.js';
/**
 * A batched run's shared progress record. The worker notes which plugin is running and since when, and logs each
 * finished plugin's outcome; the host reads it only when it has to stop the worker mid-run (a timeout, a crash),
 * so the outcomes of the plugins that finished before are not lost. Layout: Int32 [0] running index, [1] logged
 * outcomes, [2] bytes used; Float64 [2] start time (epoch ms); outcome records from byte HEADER, each a Uint32 length
 * and that many bytes of JSON, or the length BARE_PASS and a Float64 (a bare pass's ms).
 *
 * Buffers have a fixed size and are reused (allocating shared memory per task cost more than the whole chain);
 * when an outcome does not fit, the worker ends its run there and the host dispatches the rest in a new task.
 */
const HEADER = 32;
const PROGRESS_BYTES = 64 * 1024;

// timeOrigin is fixed for the thread's life, and its getter is not free on the hot path
const ORIGIN = performance.timeOrigin;
const now = () => ORIGIN + performance.now();
/** a record length that marks a bare pass, `{ ok: true, result: null, ms }`, stored as its ms alone */
const BARE_PASS = 0xffffffff;
const encoder = new TextEncoder();

export class ProgressWriter {
  private readonly ints: Int32Array;
  private readonly times: Float64Array;
  private readonly view: DataView;
  constructor(private readonly buffer: SharedArrayBuffer) {
    this.view = new DataView(buffer);
    this.ints = new Int32Array(buffer, 0, 3);
    this.times = new Float64Array(buffer, 16, 1);
  }

  started(index: number): void {
    this.times[0] = now();
    Atomics.store(this.ints, 0, index);
  }

  /**
   * Logs an outcome (plain data, so JSON is exact and cheaper than v8.serialize) for recovery; false when it does
   * not fit, and the run must end after this plugin. JSON.stringify is safe here: every plugin value in an outcome
   * is a copy made by toPlainData, bounded by plain.ts's budget, and the rest is the runtime's own bounded text.
   */
  finished(outcome: Outcome): boolean {
    const used = Atomics.load(this.ints, 2);
    const room = this.buffer.byteLength - HEADER - used - 4;
    // most plugins return nothing and change nothing: that outcome is its time alone, no JSON to write or read
    if (isBarePass(outcome)) {
      if (room < 8) return false;
      this.view.setUint32(HEADER + used, BARE_PASS, true);
      this.view.setFloat64(HEADER + used + 4, outcome.ms, true);
      return this.logged(used + 12);
    }
    const json = JSON.stringify(outcome);
    if (json.length * 3 > room && Buffer.byteLength(json) > room) return false;
    const { written } = encoder.encodeInto(json, new Uint8Array(this.buffer, HEADER + used + 4, room));
    this.view.setUint32(HEADER + used, written, true);
    return this.logged(used + 4 + written);
  }

  private logged(used: number): boolean {
    Atomics.store(this.ints, 2, used);
    Atomics.add(this.ints, 1, 1);
    return true;
  }
}

/** The host's side: a free list of buffers, and what it reads from one. */
export class ProgressBuffers {
  private readonly free: SharedArrayBuffer[] = [];

  acquire(): SharedArrayBuffer {
    const buffer = this.free.pop() ?? new SharedArrayBuffer(PROGRESS_BYTES);
    const ints = new Int32Array(buffer, 0, 3);
    ints[0] = -1;
    ints[1] = 0;
    ints[2] = 0;
    return buffer;
  }

  /** Only a buffer whose worker has answered is reused: a stopped worker may still be writing for a moment. */
  release(buffer: SharedArrayBuffer): void {
    if (this.free.length < 256) this.free.push(buffer);
  }
}

export interface ProgressSnapshot {
  /** index of the plugin running now, -1 before the first starts */
  running: number;
  startedAt: number;
}

export function readProgress(buffer: SharedArrayBuffer): ProgressSnapshot {
  const running = Atomics.load(new Int32Array(buffer, 0, 3), 0);
  return { running, startedAt: new Float64Array(buffer, 16, 1)[0]! };
}

/**
 * The outcomes the worker logged, in order; raw data, to be parsed by the caller. The worker is not trusted to have
 * written the record well (a `worker` plugin can reach the buffer): reading stops at the first record that does not
 * fit the buffer or is not JSON, and the caller counts the rest as lost.
 */
export function readLoggedOutcomes(buffer: SharedArrayBuffer): unknown[] {
  const count = Atomics.load(new Int32Array(buffer, 0, 3), 1);
  const out: unknown[] = [];
  const view = new DataView(buffer);
  let offset = HEADER;
  for (let i = 0; i < count && offset + 4 <= buffer.byteLength; i++) {
    const length = view.getUint32(offset, true);
    if (length === BARE_PASS) {
      if (offset + 12 > buffer.byteLength) break;
      out.push({ ok: true, result: null, ms: view.getFloat64(offset + 4, true) });
      offset += 12;
      continue;
    }
    if (offset + 4 + length > buffer.byteLength) break;
    try {
      out.push(JSON.parse(Buffer.from(buffer, offset + 4, length).toString('utf8')));
    } catch {
      break;
    }
    offset += 4 + length;
  }
  return out;
}

export const clock = now;
