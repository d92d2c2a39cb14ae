import { compileUrlPattern } from './lib/url-patterns.js';
import type { HookResult, Payload, UrlReputationConfig } from './schemas.js';

/**
 * Blocks a request that carries a URL on a blocked domain (subdomains included), matching a blocked pattern or,
 * with `https_only`, not https. URLs are found as `scheme://...` anywhere in the text fields of the payload; hosts
 * on `allowed_domains` and URLs matching `allowed_patterns` always pass. Parses URLs itself (a sandbox compartment has no URL global) and is otherwise self-contained.
 */

const URL_IN_TEXT = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>`]+/g;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

/** The host of `scheme://[userinfo@]host[:port]/...`, lowercased, without a trailing dot or %-escapes. */
function hostOf(url: string): string {
  const authority = /^[^:]+:\/\/([^/?#\\]*)/.exec(url)?.[1] ?? '';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  let host = hostPort.startsWith('[') ? hostPort.slice(0, hostPort.indexOf(']') + 1) : hostPort.replace(/:\d*$/, '');
  try {
    host = decodeURIComponent(host);
  } catch {
    // a malformed escape is judged as written
  }
  return host.toLowerCase().replace(/\.$/, '');
}

const onDomain = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/** ContextForge's URLReputationPlugin says which check matched in its reason (keyed by the rule's first word). */
const CONTEXTFORGE_REASONS: Record<string, string> = { domain: 'Blocked domain', pattern: 'Blocked pattern', scheme: 'Blocked non secure http url' };

interface Verdict {
  url: string;
  location: string;
  rule: string;
}

export default (config: UrlReputationConfig) => {
  const compile = (source: string) => compileUrlPattern(source, config.case_sensitive_patterns);
  const patterns = config.blocked_patterns.map((source) => ({ source, re: compile(source) }));
  const allowedPatterns = config.allowed_patterns.map(compile);

  /** In ContextForge's order: allowed domains, allowed patterns, then https only, blocked domains, blocked patterns. */
  const judge = (url: string): string | null => {
    const host = hostOf(url);
    if (config.allowed_domains.some((d) => onDomain(host, d))) return null;
    if (allowedPatterns.some((re) => re.test(url))) return null;
    if (config.https_only && !/^https:/i.test(url)) return 'scheme (not https)';
    const domain = config.blocked_domains.find((d) => onDomain(host, d));
    if (domain) return `domain ${domain}`;
    const pattern = patterns.find((p) => p.re.test(url));
    return pattern ? `pattern ${pattern.source}` : null;
  };

  const firstBlocked = (value: unknown, location: string): Verdict | null => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(URL_IN_TEXT)) {
        const url = m[0].replace(TRAILING_PUNCTUATION, '');
        const rule = judge(url);
        if (rule) return { url, location, rule };
      }
      return null;
    }
    if (value === null || typeof value !== 'object') return null;
    const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v] as const) : Object.entries(value).map(([k, v]) => [`.${k}`, v] as const);
    for (const [step, item] of entries) {
      const verdict = firstBlocked(item, location + step);
      if (verdict) return verdict;
    }
    return null;
  };

  const check = (fields: readonly string[]) => (payload: Payload): HookResult | undefined => {
    let verdict: Verdict | null = null;
    for (const field of fields) verdict ??= firstBlocked(payload[field], field);
    if (!verdict) return undefined;
    return {
      continue_processing: false,
      violation: {
        // ContextForge's URLReputationPlugin says which list matched in its reason
        reason: config.violations === 'contextforge' ? CONTEXTFORGE_REASONS[verdict.rule.slice(0, verdict.rule.indexOf(' '))]! : 'Blocked URL',
        description: `${verdict.url} matches blocked ${verdict.rule} (found in ${verdict.location})`,
        code: config.violations === 'contextforge' ? 'URL_REPUTATION_BLOCK' : 'URL_BLOCKED',
        details: { ...verdict },
      },
    };
  };

  return {
    tool_pre_invoke: check(['args']),
    tool_post_invoke: check(['result']),
    prompt_pre_fetch: check(['args']),
    resource_pre_fetch: check(['uri']),
    agent_pre_invoke: check(['messages', 'system_prompt']),
  };
};
