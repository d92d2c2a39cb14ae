import { deserialize, serialize } from 'node:v8';

/**
 * A batched run's shared progress record. The worker notes which plugin is running and since when, and logs each
 * finished plugin's outcome; the host reads it only when it has to stop the worker mid-run (a timeout, a crash),
 * so the outcomes of the plugins that finished before are not lost. Layout: Int32 [0] running index, [1] logged
 * outcomes, [2] bytes used; Float64 [2] start time (epoch ms); outcome records from byte HEADER.
 */
const HEADER = 32;
const MAX_LOG_BYTES = 256 << 20;

export function createProgress(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(HEADER, { maxByteLength: HEADER + MAX_LOG_BYTES });
  new Int32Array(buffer, 0, 3)[0] = -1;
  return buffer;
}

const now = () => performance.timeOrigin + performance.now();

export class ProgressWriter {
  private readonly ints: Int32Array;
  private readonly times: Float64Array;
  constructor(private readonly buffer: SharedArrayBuffer) {
    this.ints = new Int32Array(buffer, 0, 3);
    this.times = new Float64Array(buffer, 16, 1);
  }

  started(index: number): void {
    this.times[0] = now();
    Atomics.store(this.ints, 0, index);
  }

  /** Logs an outcome for recovery; a record that does not fit is left out and the host reports it as lost. */
  finished(outcome: unknown): void {
    const bytes = serialize(outcome);
    const used = Atomics.load(this.ints, 2);
    const end = HEADER + used + 4 + bytes.length;
    if (end > this.buffer.maxByteLength) return;
    if (end > this.buffer.byteLength) this.buffer.grow(Math.min(this.buffer.maxByteLength, Math.max(end, this.buffer.byteLength * 2)));
    const view = new DataView(this.buffer);
    view.setUint32(HEADER + used, bytes.length, true);
    new Uint8Array(this.buffer, HEADER + used + 4, bytes.length).set(bytes);
    Atomics.store(this.ints, 2, used + 4 + bytes.length);
    Atomics.add(this.ints, 1, 1);
  }
}

export interface ProgressSnapshot {
  /** index of the plugin running now, -1 before the first starts */
  running: number;
  startedAt: number;
}

export function readProgress(buffer: SharedArrayBuffer): ProgressSnapshot {
  const ints = new Int32Array(buffer, 0, 3);
  const running = Atomics.load(ints, 0);
  return { running, startedAt: new Float64Array(buffer, 16, 1)[0]! };
}

/** The outcomes the worker logged, in order; raw data, to be parsed by the caller. */
export function readLoggedOutcomes(buffer: SharedArrayBuffer): unknown[] {
  const ints = new Int32Array(buffer, 0, 3);
  const count = Atomics.load(ints, 1);
  const out: unknown[] = [];
  const view = new DataView(buffer);
  let offset = HEADER;
  for (let i = 0; i < count; i++) {
    const length = view.getUint32(offset, true);
    out.push(deserialize(new Uint8Array(buffer.slice(offset + 4, offset + 4 + length))));
    offset += 4 + length;
  }
  return out;
}

export const clock = now;
