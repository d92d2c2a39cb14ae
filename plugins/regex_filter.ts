import type { HookResult, Payload, RegexFilterConfig } from './schemas.js';

/**
 * Search and replace with regular expressions over every string of a payload's text fields, rule after rule, each
 * rule replacing all its matches (`$1`, `$<name>` and `$&` work in the replacement). Self-contained for the sandbox.
 */

const STRUCTURAL_KEYS = new Set(['role', 'type']);

/** Rewrites every string leaf except under keys that name message structure; same reference when unchanged. */
function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) {
    const out = value.map((item) => mapStrings(item, fn));
    return out.some((item, i) => item !== value[i]) ? out : value;
  }
  if (value === null || typeof value !== 'object') return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    if (STRUCTURAL_KEYS.has(key) || key === '__proto__') continue;
    const next = mapStrings(item, fn);
    if (next !== item) (out ??= { ...value })[key] = next;
  }
  return out ?? value;
}

export default (config: RegexFilterConfig) => {
  const rules = config.rules.map((r) => ({ pattern: new RegExp(r.search, `g${r.flags}`), replace: r.replace }));

  const on = (fields: readonly string[]) => (payload: Payload): HookResult | undefined => {
    let replacements = 0;
    const rewrite = (text: string) =>
      rules.reduce((current, { pattern, replace }) => {
        const matches = [...current.matchAll(pattern)].length;
        if (matches === 0) return current;
        replacements += matches;
        return current.replace(pattern, replace);
      }, text);
    const modified: Payload = { ...payload };
    for (const field of fields) if (field in payload) modified[field] = mapStrings(payload[field], rewrite);
    if (replacements === 0) return undefined;
    return { modified_payload: modified, metadata: { regex_replacements: replacements } };
  };

  return {
    tool_pre_invoke: on(['args']),
    tool_post_invoke: on(['result']),
    prompt_pre_fetch: on(['args']),
    prompt_post_fetch: on(['result']),
    resource_post_fetch: on(['content']),
    agent_pre_invoke: on(['messages', 'system_prompt']),
    agent_post_invoke: on(['messages', 'tool_calls']),
  };
};
