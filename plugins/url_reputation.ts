import { hostFinding, readUrl, type HostFinding, type ReadUrl } from './lib/url-hosts.js';
import { compileUrlPattern } from './lib/url-patterns.js';
import type { HookResult, Payload, UrlReputationConfig } from './schemas.js';

/**
 * Blocks a request that carries a URL on a blocked domain (subdomains included), matching a blocked pattern or,
 * with `https_only`, not https; with `heuristics`, one whose host looks generated or spoofed; with `require_host`,
 * one it cannot read a host from. URLs are found as `scheme://...` anywhere in the text fields of the payload (a
 * resource's URI is one whole); hosts on `allowed_domains` and URLs matching `allowed_patterns` always pass.
 */

const URL_IN_TEXT = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>`]+/g;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

const onDomain = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/** ContextForge's URLReputationPlugin says which check matched in its reason (keyed by the rule's first word). */
const CONTEXTFORGE_REASONS: Record<string, string> = {
  url: 'Could not parse url',
  host: 'Could not parse domain',
  scheme: 'Blocked non secure http url',
  domain: 'Blocked domain',
  pattern: 'Blocked pattern',
  entropy: 'High entropy domain',
  tld: 'Illegal TLD',
  unicode: 'Domain unicode is not secure',
};
/** The rule a host finding or a parse failure is reported as. */
const RULES: Record<HostFinding | NonNullable<ReadUrl['failure']>, string> = {
  url: 'url (not a URL with a readable host)',
  domain: 'host (none)',
  entropy: 'entropy (host looks generated)',
  tld: 'tld (not in the root zone)',
  unicode: 'unicode (host not safe to read)',
};

interface Verdict {
  url: string;
  location: string;
  rule: string;
}

export default (config: UrlReputationConfig) => {
  const compile = (source: string) => compileUrlPattern(source, config.case_sensitive_patterns);
  const patterns = config.blocked_patterns.map((source) => ({ source, re: compile(source) }));
  const allowedPatterns = config.allowed_patterns.map(compile);

  /** In ContextForge's order: a URL it cannot read, allowed domains and patterns, https only, blocked domains and
   * patterns, then the heuristic look at the host. */
  const judge = (url: string): string | null => {
    const { host, failure } = readUrl(url);
    if (failure && config.require_host) return RULES[failure];
    if (config.allowed_domains.some((d) => onDomain(host, d))) return null;
    if (allowedPatterns.some((re) => re.test(url))) return null;
    if (config.https_only && !/^https:/i.test(url)) return 'scheme (not https)';
    const domain = config.blocked_domains.find((d) => onDomain(host, d));
    if (domain) return `domain ${domain}`;
    const pattern = patterns.find((p) => p.re.test(url));
    if (pattern) return `pattern ${pattern.source}`;
    // no host, nothing to look at; a malformed one is reported as such, not as whatever its remains look like
    if (!config.heuristics || failure === 'domain') return null;
    const finding = failure ?? hostFinding(host, config.entropy_threshold);
    return finding ? RULES[finding] : null;
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

  const block = (verdict: Verdict | null): HookResult | undefined => verdict ? {
    continue_processing: false,
    violation: {
      // ContextForge's URLReputationPlugin says which check matched in its reason
      reason: config.violations === 'contextforge' ? CONTEXTFORGE_REASONS[verdict.rule.slice(0, verdict.rule.indexOf(' '))]! : 'Blocked URL',
      description: `${verdict.url} matches blocked ${verdict.rule} (found in ${verdict.location})`,
      code: config.violations === 'contextforge' ? 'URL_REPUTATION_BLOCK' : 'URL_BLOCKED',
      details: { ...verdict },
    },
  } : undefined;

  const check = (fields: readonly string[]) => (payload: Payload): HookResult | undefined => {
    let verdict: Verdict | null = null;
    for (const field of fields) verdict ??= firstBlocked(payload[field], field);
    return block(verdict);
  };

  /** A resource is fetched by its URI: with require_host, one that is not a URL with a host is blocked as that. */
  const checkResource = (payload: Payload): HookResult | undefined => {
    const uri = payload.uri;
    const failure = config.require_host && typeof uri === 'string' ? readUrl(uri).failure : undefined;
    return failure ? block({ url: uri as string, location: 'uri', rule: RULES[failure] }) : check(['uri'])(payload);
  };

  return {
    tool_pre_invoke: check(['args']),
    tool_post_invoke: check(['result']),
    prompt_pre_fetch: check(['args']),
    resource_pre_fetch: checkResource,
    agent_pre_invoke: check(['messages', 'system_prompt']),
  };
};
