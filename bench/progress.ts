/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal: piped or captured output (CI, tests,
 * `> file`) gets nothing, so logs hold no carriage-return noise.
 */

export interface Progress {
  /** Moves to item `index` of the total (0-based) and names what runs now. */
  update(index: number, label: string): void;
  done(): void;
}

const WIDTH = 24;

interface Terminal {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export function createProgress(total: number, stream: Terminal = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  const started = Date.now();
  let drawn = false;
  return {
    update(index, label) {
      const filled = total > 0 ? Math.round((Math.min(index, total) / total) * WIDTH) : 0;
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      const line = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${index + 1}/${total} ${secs}s ${label}`;
      const max = (stream.columns ?? 80) - 1;
      stream.write(`\r\x1b[2K${line.length > max ? line.slice(0, max) : line}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
