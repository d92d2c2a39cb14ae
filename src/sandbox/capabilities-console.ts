/**
 * The `console` every sandboxed plugin gets: it formats arguments itself, within its remaining budget
 * (console-format.ts: never `util.inspect` nor JSON.stringify of the plugin's values), escapes control characters so a plugin cannot forge other log lines or send
 * terminal escapes, and stops after a per-invocation budget with one "dropped" line.
 */
import { formatArgs } from './console-format.js';

export type ConsoleLevel = 'debug' | 'info' | 'warn' | 'error';

/** Set per invocation by the caller; the console's budget is per sink object. */
export interface ConsoleSink {
  write(level: ConsoleLevel, message: string): void;
}

export interface ConsoleLimits {
  /** console calls written per invocation before the rest are dropped */
  maxLines: number;
  /** UTF-8 bytes written per invocation; the line that crosses it is cut short */
  maxBytes: number;
}

export const DEFAULT_CONSOLE_LIMITS: ConsoleLimits = Object.freeze({ maxLines: 50, maxBytes: 8 * 1024 });

interface Budget {
  lines: number;
  bytes: number;
  /** the one "dropped" line has been written */
  dropNoted: boolean;
}

const METHOD_LEVELS: ReadonlyArray<[string, ConsoleLevel]> = [
  ['debug', 'debug'],
  ['trace', 'debug'],
  ['log', 'info'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
];

/**
 * Builds the console object. The budget belongs to the sink object: the caller hands out a fresh sink per
 * invocation, so each invocation (and the load) starts with a full budget without any reset call.
 */
export function makeBoundedConsole(sink: () => ConsoleSink, limits: ConsoleLimits): object {
  const budgets = new WeakMap<ConsoleSink, Budget>();
  const write = (level: ConsoleLevel, args: unknown[]): void => {
    let target: ConsoleSink;
    try {
      target = sink();
    } catch {
      return;
    }
    if (target === null || typeof target !== 'object') return;
    let budget = budgets.get(target);
    if (!budget) {
      budget = { lines: 0, bytes: 0, dropNoted: false };
      budgets.set(target, budget);
    }
    try {
      if (budget.lines < limits.maxLines && budget.bytes < limits.maxBytes) {
        target.write(level, fitToBudget(formatLine(args, limits.maxBytes - budget.bytes), budget, limits));
      } else if (!budget.dropNoted) {
        budget.dropNoted = true;
        target.write('warn', `... further console output dropped (limit ${limits.maxLines} lines / ${limits.maxBytes} bytes per invocation)`);
      }
    } catch {
      // a failing logger is the host's problem, never the plugin's
    }
  };
  const methods: Record<string, (...args: unknown[]) => void> = {};
  for (const [name, level] of METHOD_LEVELS) {
    methods[name] = (...args: unknown[]) => write(level, args);
  }
  return harden(methods);
}

function fitToBudget(line: string, budget: Budget, limits: ConsoleLimits): string {
  budget.lines += 1;
  const room = limits.maxBytes - budget.bytes;
  let bytes = Buffer.byteLength(line, 'utf8');
  if (bytes > room) {
    line = `${truncateUtf8(line, Math.max(0, room - 3))}...`;
    bytes = room;
  }
  budget.bytes += bytes;
  return line;
}

function truncateUtf8(text: string, maxBytes: number): string {
  const buf = Buffer.from(text, 'utf8').subarray(0, maxBytes);
  // a cut through a multi-byte character decodes to U+FFFD; drop it rather than emit a broken character
  return buf.toString('utf8').replace(/\uFFFD$/, '');
}

/** One console call as one line: formatted within the room left (see console-format.ts), control characters escaped. */
function formatLine(args: readonly unknown[], maxChars: number): string {
  return escapeControls(formatArgs(args, maxChars));
}

function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
