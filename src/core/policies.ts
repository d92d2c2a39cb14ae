import { firstIssue } from './errors.js';
import type { HookSpec } from './hooks.js';
import { jsonBytes, plainEqual } from './plain-data.js';
import type { JsonObject } from './schemas.js';

/**
 * The policy filter: the one place that decides what of a plugin's `modified_payload` reaches the next plugin.
 * Pure, so the worker can run it between the plugins of a batched run and the host can run it again on what the
 * worker reports; both then agree on every merge.
 */
export interface PolicySettings {
  /** hook -> writable fields; replaces the defaults of hooks.md for the hooks it names */
  hookPolicies: Readonly<Record<string, readonly string[]>>;
  defaultHookPolicy: 'allow' | 'deny';
  maxPayloadBytes: number;
}

export type Policy =
  | { kind: 'fields'; writable: readonly string[] }
  | { kind: 'whole' }
  | { kind: 'allow' }
  | { kind: 'deny' };

export function policyFor(hook: HookSpec, settings: PolicySettings): Policy {
  if (hook.resultSchema) return { kind: 'whole' };
  const writable = settings.hookPolicies[hook.name] ?? hook.writable;
  if (writable) return { kind: 'fields', writable };
  return { kind: settings.defaultHookPolicy };
}

export interface FilterOutcome {
  payload: JsonObject;
  accepted: boolean;
  /** why a modification was dropped, for the logger */
  rejected?: string;
}

export function applyModification(
  hook: HookSpec,
  policy: Policy,
  current: JsonObject,
  modified: unknown,
  maxPayloadBytes: number,
): FilterOutcome {
  if (modified === null || modified === undefined) return { payload: current, accepted: false };
  if (policy.kind === 'deny') {
    return { payload: current, accepted: false, rejected: `hook ${hook.name} has no payload policy and the default policy is deny` };
  }
  let candidate: unknown = modified;
  if (policy.kind === 'fields') {
    if (typeof modified !== 'object' || Array.isArray(modified)) {
      return { payload: current, accepted: false, rejected: 'modified_payload is not an object' };
    }
    const changes: JsonObject = {};
    let changed = false;
    for (const field of policy.writable) {
      if (Object.hasOwn(modified, field) && !plainEqual((modified as JsonObject)[field], current[field])) {
        changes[field] = (modified as JsonObject)[field];
        changed = true;
      }
    }
    if (!changed) return { payload: current, accepted: false };
    candidate = { ...current, ...changes };
  }
  const schema = policy.kind === 'whole' ? hook.resultSchema! : hook.payloadSchema;
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    return { payload: current, accepted: false, rejected: `modified payload does not parse: ${firstIssue(parsed.error.issues)}` };
  }
  const size = jsonBytes(parsed.data, maxPayloadBytes);
  if (size > maxPayloadBytes) {
    return { payload: current, accepted: false, rejected: `modified payload is ${size} bytes, over the limit of ${maxPayloadBytes}` };
  }
  return { payload: parsed.data, accepted: true };
}

/** Metadata returned by plugins merges in plugin order; keys starting with `_` belong to the runtime. */
export function mergeMetadata(into: JsonObject, from: JsonObject | null | undefined): void {
  if (!from) return;
  for (const key of Object.keys(from)) {
    if (!key.startsWith('_')) into[key] = from[key];
  }
}
