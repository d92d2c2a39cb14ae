import { z } from 'zod';
import { JsonObject } from './schemas.js';

/**
 * The failure catalogue: every way a plugin's run can fail, as plain data that crosses from a worker or a process
 * and is parsed on the host. Each failure has one factory below; throw sites and runners name it instead of
 * spelling a `{ code, message }` literal.
 */
export const FailureCodeSchema = z.enum(['PLUGIN_ERROR', 'PLUGIN_TIMEOUT', 'WORKER_EXITED', 'OUT_OF_MEMORY', 'INVALID_RESULT',
  'NOT_IMPLEMENTED', 'LOAD_FAILED', 'UNKNOWN_PLUGIN', 'POOL_ERROR', 'CANCELLED']);
export type FailureCode = z.infer<typeof FailureCodeSchema>;

export const FailureSchema = z.object({
  message: z.string().max(10_000),
  code: FailureCodeSchema,
  details: JsonObject.optional(),
});
/** A failure as plain data: how workers report it and how every plugin failure is described before it is raised. */
export type Failure = z.infer<typeof FailureSchema>;

const failure = (code: FailureCode, message: string, details?: JsonObject): Failure => ({ code, message, ...(details ? { details } : {}) });

export const failures = {
  /** the plugin ran past its deadline, counted from when it started */
  timeout: (ms: number) => failure('PLUGIN_TIMEOUT', `exceeded its timeout of ${ms / 1000} s`, { timeout_ms: ms }),
  /** a concurrent phase was decided before this plugin finished */
  cancelled: () => failure('CANCELLED', 'cancelled: the concurrent phase was already decided'),
  /** the run was handed to a worker that never started it */
  stalled: () => failure('WORKER_EXITED', 'no worker started the run (one was held by work an earlier plugin left behind, or none could finish booting)'),
  /** the worker or process running the plugin stopped or died */
  workerExited: (message: string) => failure('WORKER_EXITED', message),
  /** an earlier plugin's outcome, not logged before its worker stopped */
  outcomeLost: () => failure('WORKER_EXITED', 'outcome lost when the worker stopped'),
  outOfMemory: (message: string, details?: JsonObject) => failure('OUT_OF_MEMORY', message, details),
  /** what the plugin returned, or what its worker reported, does not hold */
  invalidResult: (message: string) => failure('INVALID_RESULT', message),
  loadFailed: (message: string) => failure('LOAD_FAILED', message),
  unknownPlugin: (message: string) => failure('UNKNOWN_PLUGIN', message),
  notImplemented: (hook: string) => failure('NOT_IMPLEMENTED', `plugin does not implement ${hook}`),
  poolClosed: () => failure('POOL_ERROR', 'the plugin pool was closed'),
  /** a `kind: external` plugin's server could not be reached, or its call failed in transport */
  pluginServer: (target: string, message: string) => failure('PLUGIN_ERROR', `plugin server ${target}: ${message}`),
} as const;

/** An error that already carries its Failure, e.g. a load failure or an inline plugin's timeout. */
export class FailureError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/** Longest failure message kept: a plugin's text must not flood an error or a log. */
const MAX_MESSAGE = 1000;

/**
 * Makes text that came from a plugin safe to put in an error or a log line: control characters (newlines
 * included) escaped, so it cannot forge lines or send terminal escapes, and cut at `max` characters.
 */
export function safeText(text: string, max = MAX_MESSAGE): string {
  return escapeControls(text.length > max ? `${text.slice(0, max)}... (${text.length - max} more characters)` : text);
}

/** C0 and C1 control characters (newlines, ESC, CSI), DEL and the JavaScript line separators, as visible escapes. */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/**
 * Turns anything thrown into a Failure of plain strings. It never throws itself: what a plugin throws may have
 * getters that throw, a message that is not a string, or be a Proxy.
 */
export function toFailure(err: unknown, code: FailureCode = 'PLUGIN_ERROR'): Failure {
  try {
    if (err instanceof Error) {
      const message = err.message;
      const name = err.name;
      return { message: safeText(typeof message === 'string' && message ? message : typeof name === 'string' ? name : 'Error'), code,
        ...(typeof name === 'string' ? { details: { name: safeText(name, 100) } } : {}) };
    }
    return { message: safeText(typeof err === 'string' ? err : `non-error thrown: ${safeString(err)}`), code };
  } catch {
    return { message: 'the plugin threw a value that cannot be described', code };
  }
}

/** The failure an error carries, or what it says, under the given code. */
export function failureOf(err: unknown, code: FailureCode = 'PLUGIN_ERROR'): Failure {
  return err instanceof FailureError ? err.failure : toFailure(err, code);
}

function safeString(value: unknown): string {
  try {
    return String(value).slice(0, 200);
  } catch {
    return typeof value;
  }
}
