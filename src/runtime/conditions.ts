import type { Condition } from './config.js';
import type { HookSpec } from '../core/hooks.js';
import type { GlobalContext, JsonObject } from '../core/schemas.js';

/**
 * Conditions are OR'd; the fields inside one are AND'd. A field the hook does not have is ignored for that hook.
 * Evaluated against the payload the invocation started with, as ContextForge does.
 */
export function conditionsMatch(conditions: readonly Condition[], hook: HookSpec, payload: JsonObject, global: GlobalContext): boolean {
  return conditions.length === 0 || conditions.some((c) => matches(c, hook, payload, global));
}

function matches(c: Condition, hook: HookSpec, payload: JsonObject, global: GlobalContext): boolean {
  if (c.server_ids && !includes(c.server_ids, global.server_id)) return false;
  if (c.tenant_ids && !includes(c.tenant_ids, global.tenant_id)) return false;
  if (c.user_patterns && !userMatches(c.user_patterns, global.user)) return false;
  if (hook.conditionKey && hook.conditionField) {
    const wanted = c[hook.conditionKey];
    if (wanted && !includes(wanted, payload[hook.conditionField])) return false;
  }
  return true;
}

function includes(list: readonly string[], value: unknown): boolean {
  return typeof value === 'string' && list.includes(value);
}

function userMatches(patterns: readonly string[], user: GlobalContext['user']): boolean {
  const name = typeof user === 'string' ? user : typeof user?.email === 'string' ? user.email : null;
  return name !== null && patterns.some((p) => name.includes(p));
}
