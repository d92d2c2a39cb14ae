import type { ConsoleSink } from './capabilities-console.js';
import type { LogLine } from '../core/protocol.js';

/**
 * Routes a sandboxed plugin's console to the invocation running it: each invocation gets a fresh sink (the
 * boundary bounds lines per sink object), and its lines travel back in the outcome to the host's logger. A line
 * written when none of the plugin's invocations is running (a stray promise) is dropped.
 */
export class ConsoleCapture {
  private readonly current = new Map<string, { sink: ConsoleSink; lines: LogLine[] }>();

  sinkFor(id: string): () => ConsoleSink {
    return () => this.current.get(id)?.sink ?? DROP;
  }

  begin(id: string): () => LogLine[] {
    const lines: LogLine[] = [];
    const entry = { lines, sink: { write: (level: LogLine['level'], message: string) => void lines.push({ level, message }) } };
    this.current.set(id, entry);
    return () => {
      if (this.current.get(id) === entry) this.current.delete(id);
      return lines;
    };
  }
}

const DROP: ConsoleSink = { write() {} };
