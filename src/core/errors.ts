import type { core } from 'zod';
import type { PluginViolation } from './schemas.js';
import { safeText, type Failure } from './failures.js';

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

/** `invokeHook` with a hook name that is neither built in nor named by the config (hooks.md): most often a typo. */
export class UnknownHookError extends Error {
  override name = 'UnknownHookError';
  constructor(readonly hook: string, readonly closest: string | undefined) {
    super(`Unknown hook "${safeText(hook, 100)}": neither a built-in hook nor one that a plugin of the config names`
      + (closest ? `; did you mean "${closest}"?` : ''));
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

/** what a failure message may hold once it has crossed (FailureSchema's bound) */
const FAILURE_MESSAGE_MAX = 10_000;

/**
 * A plugin's load failure as the error `initialize()` rejects with. Its text is made safe again here, on the host:
 * a worker's report is not trusted to have done it.
 */
export function toLoadError(pluginName: string, failure: Failure): PluginError {
  return new PluginError({ message: `Plugin ${pluginName} failed to load: ${safeText(failure.message, FAILURE_MESSAGE_MAX)}`, plugin_name: pluginName, code: failure.code });
}

/** The one conversion of any plugin failure into the error a caller sees, naming plugin and hook (made safe, as above). */
export function toPluginError(pluginName: string, hook: string, failure: Failure): PluginError {
  return new PluginError({
    message: `Plugin ${pluginName} failed on ${hook}: ${safeText(failure.message, FAILURE_MESSAGE_MAX)}`,
    plugin_name: pluginName,
    code: failure.code,
    ...(failure.details ? { details: failure.details } : {}),
  });
}
