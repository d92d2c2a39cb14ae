import type { core } from 'zod';
import type { PluginViolation } from './schemas.js';

/** A failure as plain data: how workers report it and how every plugin failure is described before it is raised. */
export interface Failure {
  message: string;
  code: FailureCode;
  details?: Record<string, unknown>;
}
export type FailureCode =
  | 'PLUGIN_ERROR' | 'PLUGIN_TIMEOUT' | 'WORKER_EXITED' | 'OUT_OF_MEMORY' | 'INVALID_RESULT' | 'NOT_IMPLEMENTED'
  | 'LOAD_FAILED' | 'UNKNOWN_PLUGIN' | 'POOL_ERROR' | 'CANCELLED';

export interface PluginErrorInfo {
  message: string;
  plugin_name: string;
  code?: string;
  details?: Record<string, unknown>;
}

export class PluginError extends Error {
  override name = 'PluginError';
  constructor(readonly error: PluginErrorInfo, options?: ErrorOptions) {
    super(error.message, options);
  }
}

export class PluginViolationError extends Error {
  override name = 'PluginViolationError';
  constructor(message: string, readonly violation: PluginViolation | null) {
    super(message);
  }
}

export class PayloadSizeError extends Error {
  override name = 'PayloadSizeError';
  constructor(readonly size: number, readonly limit: number) {
    super(`Payload is ${size} bytes, over the limit of ${limit} bytes (plugin_settings.max_payload_bytes)`);
  }
}

export interface ConfigIssue {
  path: PropertyKey[];
  message: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly issues: ConfigIssue[], source?: string) {
    super(`${source ? `Invalid config ${source}: ` : 'Invalid config: '}${issues.map(formatIssue).join('; ')}`);
  }
}

/** A hook payload that does not parse with its hook's schema; raised before any plugin runs. */
export class PayloadValidationError extends Error {
  override name = 'PayloadValidationError';
  constructor(readonly hook: string, readonly issues: ConfigIssue[]) {
    super(`Invalid ${hook} payload: ${issues.map(formatIssue).join('; ')}`);
  }
}

/** `path: message` of an issue (a config's or a zod parse's), the way every error and log line shows one. */
export function formatIssue(issue: ConfigIssue): string {
  const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
  return `${path || '(root)'}: ${issue.message}`;
}

/** The first issue of a failed zod parse, formatted. */
export function firstIssue(issues: readonly core.$ZodIssue[]): string {
  return issues[0] ? formatIssue(issues[0]) : '(no detail)';
}

export function zodIssues(issues: readonly core.$ZodIssue[], prefix: PropertyKey[] = []): ConfigIssue[] {
  return issues.map((i) => ({ path: [...prefix, ...i.path], message: i.message }));
}

/** The one conversion of any plugin failure into the error a caller sees, naming plugin and hook. */
export function toPluginError(pluginName: string, hook: string, failure: Failure): PluginError {
  return new PluginError({
    message: `Plugin ${pluginName} failed on ${hook}: ${failure.message}`,
    plugin_name: pluginName,
    code: failure.code,
    ...(failure.details ? { details: failure.details } : {}),
  });
}

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
  const cut = text.length > max ? `${text.slice(0, max)}... (${text.length - max} more characters)` : text;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
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

function safeString(value: unknown): string {
  try {
    return String(value).slice(0, 200);
  } catch {
    return typeof value;
  }
}
