import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PluginManager } from '../bundled.js';
import type { Logger } from '../runtime/observability.js';
import { safeText } from '../core/failures.js';
import { CliError, EXIT, startupError } from './failures.js';
import type { Style } from './style.js';
import { escapeControls } from '../core/failures.js';

/**
 * JSON for the terminal: JSON.stringify escapes C0 controls inside strings but leaves DEL, the C1 controls (a
 * plugin's 0x9b is a terminal's CSI) and U+2028/9 raw; those are escaped too, and the text is still the same JSON.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The chain `cordon run` uses without an argument: the package's own. */
export { BUNDLED_CONFIG } from '../bundled.js';

/** What every command writes to, so that output, colour and verbosity are decided in one place. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  style: Style;
  verbose: boolean;
}

/** Errors and log lines are one line each: whatever a message holds (a newline, a terminal escape) is escaped. */
export const oneLine = (text: string): string => safeText(text, 4000);

/** Reads and parses a JSON document from a file, or from stdin when the name is `-`. */
export async function readJson(source: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new CliError(`cannot read ${what} ${source}: ${reason}`, EXIT.badInput, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const from = source === '-' ? 'stdin' : source;
    throw new CliError(`${what} ${from} is not valid JSON: ${(err as Error).message}`, EXIT.badInput, { cause: err });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A logger that shows the manager's messages on stderr with --verbose and hands warnings to `onWarn`. */
export function cliLogger(io: Io, onWarn: (message: string) => void = () => {}): Logger {
  const show = (level: string) => (message: string) => {
    if (io.verbose) io.err(`${io.style('dim', `cordon [${level}] ${oneLine(message)}`)}\n`);
  };
  return {
    debug: show('debug'),
    info: show('info'),
    warn: (message) => {
      onWarn(message);
      show('warn')(message);
    },
    error: (message) => {
      onWarn(message);
      show('error')(message);
    },
  };
}

/**
 * Starts a manager on the config, runs `body` and always shuts the manager down, so the process can exit.
 * A failure to start is bad input (exit 2); what `body` throws is left to the caller.
 */
export async function withManager<T>(config: string, logger: Logger, body: (manager: PluginManager) => Promise<T>): Promise<T> {
  const manager = new PluginManager(config, { logger });
  try {
    await manager.initialize().catch((err: unknown) => {
      throw startupError(err, config);
    });
    return await body(manager);
  } finally {
    await manager.shutdown();
  }
}

export const newRequestId = (): string => randomUUID();
