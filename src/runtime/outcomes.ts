import { firstIssue } from './errors.js';
import { assertPlainData } from './plain.js';
import { OutcomeSchema, type Outcome } from '../sandbox/protocol.js';

/** The host's reading of one outcome a runner reported: plain data, parsed, or else a failure of that plugin. */
export function parseOutcome(raw: unknown): Outcome {
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
  return { ok: false, failure: { code: 'INVALID_RESULT', message: `the worker's report is invalid: ${why}` }, ms: 0 };
}
