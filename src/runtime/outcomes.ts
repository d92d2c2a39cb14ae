import { firstIssue } from '../core/errors.js';
import { failures, safeText } from '../core/failures.js';
import type { Logger } from './observability.js';
import { assertPlainData } from '../core/plain-data.js';
import { isBarePass, OutcomeSchema, type Outcome } from '../core/protocol.js';

/** The host's reading of one outcome a runner reported: plain data, parsed, or else a failure of that plugin. */
export function parseOutcome(raw: unknown): Outcome {
  if (isBarePass(raw)) return raw;
  try {
    assertPlainData(raw, 'outcome', true);
    const parsed = OutcomeSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    return invalid(firstIssue(parsed.error.issues));
  } catch (err) {
    return invalid((err as Error).message);
  }
}

function invalid(why: string): Outcome {
  return { ok: false, failure: failures.invalidResult(`the worker's report is invalid: ${why}`), ms: 0 };
}

/** a log line built from a plugin's text is cut here (console lines are already bounded per invocation) */
export const LOG_LINE_MAX = 8192;

/** A sandboxed plugin's console lines, which travel in its outcome, go to the logger tagged with its name. */
export function logConsole(logger: Logger, pluginName: string, outcome: Outcome): void {
  for (const line of outcome.logs ?? []) logger[line.level](`[${pluginName}] ${safeText(line.message, LOG_LINE_MAX)}`);
}
