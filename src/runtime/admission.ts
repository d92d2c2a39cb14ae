import { PayloadSizeError, PayloadValidationError, zodIssues } from '../core/errors.js';
import type { HookSpec } from '../core/hooks.js';
import { jsonBytes } from '../core/json-bytes.js';
import { assertPlainData, NotPlainDataError } from '../core/plain-data.js';
import { GlobalContextSchema, type GlobalContext, type JsonObject } from '../core/schemas.js';

/**
 * Parses a caller's payload with its hook's schema (the error holds the zod path), then checks it is plain data and
 * within `max_payload_bytes` in one walk: the measuring walk checks every node as the plain-data check would, and
 * stops as soon as the count passes the limit.
 */
export function admitPayload(hook: HookSpec, payload: unknown, limit: number): JsonObject {
  const parsed = hook.payloadSchema.safeParse(payload);
  if (!parsed.success) throw new PayloadValidationError(hook.name, zodIssues(parsed.error.issues));
  let size: number;
  try {
    size = jsonBytes(parsed.data, limit, 'payload');
  } catch (err) {
    if (err instanceof NotPlainDataError) throw new PayloadValidationError(hook.name, [{ path: ['payload'], message: err.message }]);
    throw err;
  }
  if (size > limit) throw new PayloadSizeError(size, limit);
  return parsed.data;
}

/**
 * Checks the caller's global context and makes sure it has `state` and `metadata` objects: merges go into the
 * caller's own objects, as the API promises.
 */
export function admitGlobalContext(hook: string, global: unknown): GlobalContext {
  const parsed = GlobalContextSchema.safeParse(global);
  if (!parsed.success) throw new PayloadValidationError(hook, zodIssues(parsed.error.issues, ['global_context']));
  plainOrThrow(hook, parsed.data, 'global_context');
  const target = global as GlobalContext;
  target.state ??= {};
  target.metadata ??= {};
  return target;
}

function plainOrThrow(hook: string, value: unknown, what: string): void {
  try {
    assertPlainData(value, what);
  } catch (err) {
    if (err instanceof NotPlainDataError) throw new PayloadValidationError(hook, [{ path: [what], message: err.message }]);
    throw err;
  }
}
