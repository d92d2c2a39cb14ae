/**
 * Progress on stderr. On a terminal, one redrawn line with a bar; otherwise (CI, tests, `2> file`) one plain line
 * per scenario, so a long run is never silent and logs hold no carriage-return noise.
 */

export interface Progress {
  /** Moves to item `index` of the total (0-based) and names what runs now. */
  update(index: number, label: string): void;
  done(): void;
}

const WIDTH = 24;
/** What a terminal that reports no width (or 0 columns, as some do when detached) is taken to have. */
const DEFAULT_COLUMNS = 80;

interface Terminal {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export function createProgress(total: number, stream: Terminal = process.stderr): Progress {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
  if (!stream.isTTY) {
    let last = -1;
    return {
      update(index, label) {
        if (index === last) return;
        last = index;
        stream.write(`bench ${index + 1}/${total} ${elapsed()} ${label}\n`);
      },
      done() {},
    };
  }
  let drawn = false;
  return {
    update(index, label) {
      const filled = total > 0 ? Math.round((Math.min(index, total) / total) * WIDTH) : 0;
      const line = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${index + 1}/${total} ${elapsed()} ${label}`;
      const columns = stream.columns !== undefined && stream.columns > 0 ? stream.columns : DEFAULT_COLUMNS;
      const max = columns - 1;
      stream.write(`\r\x1b[2K${line.length > max ? line.slice(0, max) : line}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
