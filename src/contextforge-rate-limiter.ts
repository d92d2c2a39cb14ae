import { noEffect, translator, type Handler } from './contextforge-translator.js';
import { contextForgeRate } from './python-syntax.js';

/**
 * ContextForge's rate limiter (cpex-rate-limiter 0.0.4) as Cordon's rate_limiter: its keys, and its ways of counting
 * (a request with no user is "anonymous", each tenant's users and tools count apart, tool names are compared
 * trimmed and lower-cased, and a prompt is limited by its name as a tool is). Apart from contextforge-plugins.ts
 * for that file's size.
 */

/** ContextForge's limiter refuses a count above a million a window, as a typo or a way to exhaust its memory. */
const MAX_COUNT = 1_000_000;

const rate = (value: unknown, where: string, none: (message?: string) => void): unknown => {
  const translated = contextForgeRate(value);
  // its units stop at the hour, with no window of several units: "10/d" and "5/10s" are not its rates
  if (typeof translated === 'string' && !/^\d+\/[smh]$/.test(translated)) {
    none(`${where}: ${JSON.stringify(value)} is not a rate ContextForge's limiter takes ("<count>/<unit>", unit s, m or h)`);
  } else if (typeof translated === 'string' && Number(translated.split('/')[0]) > MAX_COUNT) {
    none(`${where}: ${JSON.stringify(value)} is above ContextForge's ceiling of ${MAX_COUNT} a window`);
  }
  return translated;
};
const rateKey = (key: string): Handler => (value, out, none) => {
  // null is ContextForge's "no limit on this dimension"
  if (value !== null) out[key] = rate(value, key, none);
};

export const contextForgeRateLimiter = translator('rate_limiter', () => ({
  violations: 'contextforge', anonymous_user: 'anonymous', scope_by_tenant: true, fold_tool_names: true, prompts_by_name: true,
}), {
  by_user: rateKey('by_user'),
  by_tenant: rateKey('by_tenant'),
  by_tool: (value, out, none) => {
    if (value === null) return;
    out.by_tool = value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([tool, r]) => [tool, rate(r, `by_tool.${tool}`, none)]))
      : value;
  },
  // its three algorithms, written in any case; null or absent is its default, the fixed window
  algorithm: (value, out, none) => {
    const name = typeof value === 'string' ? value.trim().toLowerCase() : value;
    if (name === null || name === undefined) return;
    if (name === 'fixed_window' || name === 'sliding_window' || name === 'token_bucket') out.algorithm = name;
    else none();
  },
  // counting happens in the manager's shared store (Redis when the fleet store is configured)
  backend: (value, _out, none, config) => {
    if (value === 'redis' && typeof config.redis_url !== 'string') none('backend: "redis" needs redis_url, as ContextForge\'s limiter requires');
    else if (value !== 'memory' && value !== 'redis' && value !== undefined && value !== null) none();
  },
  redis_url: noEffect,
  redis_key_prefix: noEffect,
  redis_fallback: noEffect,
  // ContextForge's reads "Closed " as closed and a blank one as open; a typo (it warns and fails open) is refused
  // here, so a limiter meant to fail closed never fails open in silence
  fail_mode: (value, out) => {
    const mode = typeof value === 'string' ? value.trim().toLowerCase() : value;
    out.fail_mode = mode === null || mode === undefined || mode === '' ? 'open' : mode;
  },
  // the clock tells a client when its window ends (X-RateLimit-Reset, Retry-After), as ContextForge's does
}, { capabilities: { store: true, clock: true } });
