import {
  ConfigError, PayloadSizeError, PayloadValidationError, PluginError, PluginViolationError, UnknownHookError, formatIssue, type ConfigIssue,
} from '../core/errors.js';

/** Exit codes of every command: 0 success, 1 a blocked or failed invocation, 2 bad input. */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the command line raises itself, already worded for the user and carrying its exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(message: string, readonly exitCode: ExitCode, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Anything that goes wrong while the manager starts is bad input: the config, or a plugin it names, is at fault.
 * `configLabel` is the path as the user typed it, which reads better than the absolute path in ConfigError.
 */
export function startupError(err: unknown, configLabel: string): CliError {
  if (err instanceof ConfigError) return new CliError(`invalid config ${configLabel}: ${err.issues.map(issueText).join('; ')}`, EXIT.badInput, { cause: err });
  if (err instanceof PluginError) return new CliError(`cannot load ${configLabel}: ${err.message}`, EXIT.badInput, { cause: err });
  return new CliError(`cannot start ${configLabel}: ${messageOf(err)}`, EXIT.badInput, { cause: err });
}

/** An issue as `path: message`; one about the whole file (it is missing, or not YAML) is just its message. */
export function issueText(issue: ConfigIssue): string {
  return issue.path.length ? formatIssue(issue) : issue.message;
}

/** The exit code and the one line that a failure becomes. */
export function describeFailure(err: unknown): { exitCode: ExitCode; line: string } {
  if (err instanceof CliError) return { exitCode: err.exitCode, line: err.message };
  if (err instanceof ConfigError || err instanceof PayloadValidationError || err instanceof PayloadSizeError || err instanceof UnknownHookError) {
    return { exitCode: EXIT.badInput, line: err.message };
  }
  if (err instanceof PluginViolationError || err instanceof PluginError) return { exitCode: EXIT.failed, line: err.message };
  return { exitCode: EXIT.failed, line: messageOf(err) };
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
