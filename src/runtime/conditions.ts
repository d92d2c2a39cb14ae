import type { Condition } from './config.js';
import type { HookSpec } from '../core/hooks.js';
import type { GlobalContext, JsonObject } from '../core/schemas.js';

/**
 * Conditions are OR'd; the fields inside one are AND'd. A field the hook does not have is ignored for that hook,
 * and so is an empty list: ContextForge's own configs write `server_ids: []` to mean every server.
 * Evaluated against the payload the invocation started with, as ContextForge does.
 */
export function conditionsMatch(conditions: readonly Condition[], hook: HookSpec, payload: JsonObject, global: GlobalContext): boolean {
  return conditions.length === 0 || conditions.some((c) => matches(c, hook, payload, global));
}

function matches(c: Condition, hook: HookSpec, payload: JsonObject, global: GlobalContext): boolean {
  if (restricts(c.server_ids) && !includes(c.server_ids, global.server_id)) return false;
  if (restricts(c.tenant_ids) && !includes(c.tenant_ids, global.tenant_id)) return false;
  if (restricts(c.user_patterns) && !userMatches(c.user_patterns, global.user)) return false;
  if (restricts(c.content_types) && !contentTypeMatches(c.content_types, global.content_type)) return false;
  if (hook.conditionKey && hook.conditionField) {
    const wanted = c[hook.conditionKey];
    if (restricts(wanted) && !includes(wanted, payload[hook.conditionField])) return false;
  }
  return true;
}

const restricts = (list: readonly string[] | undefined): list is readonly string[] => !!list && list.length > 0;

function includes(list: readonly string[], value: unknown): boolean {
  return typeof value === 'string' && list.includes(value);
}

function userMatches(patterns: readonly string[], user: GlobalContext['user']): boolean {
  const name = typeof user === 'string' ? user : typeof user?.email === 'string' ? user.email : null;
  return name !== null && patterns.some((p) => name.includes(p));
}

/** `Application/JSON; charset=utf-8` is `application/json`: lower case, parameters dropped, as semantics.md says. */
export function normalizeContentType(type: string): string {
  return type.split(';', 1)[0]!.trim().toLowerCase();
}

function contentTypeMatches(types: readonly string[], type: unknown): boolean {
  if (typeof type !== 'string') return false;
  const wanted = normalizeContentType(type);
  return wanted !== '' && types.some((t) => normalizeContentType(t) === wanted);
}
