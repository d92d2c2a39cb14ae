import { firstIssue } from './errors.js';
import type { HookSpec } from './hooks.js';
import { plainEqual } from './plain-data.js';
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
  /** the caller's payload (checked once, before any plugin runs) */
  maxPayloadBytes: number;
  /** what one plugin contributes (result-size.ts) */
  maxResultBytes: number;
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
    const merged = mergeWritable(policy.writable, current, modified as JsonObject);
    if (!merged) return { payload: current, accepted: false };
    candidate = merged;
  }
  const schema = policy.kind === 'whole' ? hook.resultSchema! : hook.payloadSchema;
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    return { payload: current, accepted: false, rejected: `modified payload does not parse: ${firstIssue(parsed.error.issues)}` };
  }
  return { payload: parsed.data, accepted: true };
}

/**
 * The current payload with every writable field that the plugin changed copied over, or null if it changed none.
 * A writable field the plugin left out, where the current payload has it, counts as changed and is removed: in
 * ContextForge the missing optional field reads as `None`. (The caller then checks the result with the schema.)
 */
function mergeWritable(writable: readonly string[], current: JsonObject, modified: JsonObject): JsonObject | null {
  let merged: JsonObject | null = null;
  for (const field of writable) {
    const has = Object.hasOwn(modified, field);
    if (has ? plainEqual(modified[field], current[field]) : !Object.hasOwn(current, field)) continue;
    merged ??= { ...current };
    if (has) merged[field] = modified[field];
    else delete merged[field];
  }
  return merged;
}

/** Metadata returned by plugins merges in plugin order; keys starting with `_` belong to the runtime. */
export function mergeMetadata(into: JsonObject, from: JsonObject | null | undefined): void {
  if (!from) return;
  for (const key of Object.keys(from)) {
    if (!key.startsWith('_')) into[key] = from[key];
  }
}
