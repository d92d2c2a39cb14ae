import { isBenignValue, isPlaceholder, isPlainWord } from './lib/allowlist.js';
import { entropy } from './lib/checksums.js';
import { scanContextForge } from './lib/contextforge-secrets.js';
import { claim, replaceFindings, type Finding } from './lib/findings.js';
import { rewriteFields, textHooks } from './lib/hooks.js';
import { CREDENTIAL_KEY, secretRules, type SecretRule, type SecretType } from './lib/secret-rules.js';
import { SKIP_NONE, mapStrings } from './lib/strings.js';
import type { HookResult, Payload, SecretsDetectionConfig } from './schemas.js';

/**
 * Finds credentials in a payload's text: provider keys and tokens in their issued formats (AWS, GCP, Azure, GitHub,
 * GitLab, Slack, Stripe, OpenAI, Anthropic, Hugging Face, npm, PyPI, Twilio, SendGrid, Mailgun, Shopify, Datadog,
 * Discord, Telegram), JWTs, private key blocks, credentials in URLs, Authorization headers and password/secret/token
 * assignments in YAML, .env, JSON and code. Each finding names its type, and redaction keeps it visible
 * (`[REDACTED:stripe_key]`). Documented placeholders and ids that only look alike are allowed (lib/allowlist.ts).
 * With `contextforge_patterns` (ContextForge's class paths) it runs ContextForge's own table instead
 * (lib/contextforge-secrets.ts): a ContextForge config finds and redacts what it finds and redacts there.
 */

/** A checksum-less or checksum-failing value must look random: bits per character over its alphabet. */
const RANDOM_ENTROPY = 4;
/** Passwords are short and people-made, so they pass with less, but never as a word, path or id. */
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_ENTROPY = 2.5;
const KEY_MIN_LENGTH = 16;

/** A key that names a credential, and key names that only talk about one (password_reset_url, token_type, ...). */
const SECRET_KEY = new RegExp(`${CREDENTIAL_KEY}`, 'i');
const NOT_A_SECRET_KEY = /(?:file|path|url|uri|name|id|type|length|len|count|ttl|expiry|expires|expires_in|expires_at|endpoint|header|field|hint|policy|reset|prompt|label|format|min|max|limit|regex|pattern|required|enabled|usage|tokens|budget)$/i;
const PASSWORD_KEY = /pass|pwd/i;
const KEY_CHAR = /[A-Za-z0-9_.-]/;

const classes = (v: string) => Number(/[a-z]/.test(v)) + Number(/[A-Z]/.test(v)) + Number(/\d/.test(v)) + Number(/[^A-Za-z0-9]/.test(v));

/** What a value found under a credential-named key is, if it is a credential at all. */
function labelled(key: string, value: string, minEntropy: number): SecretType | null {
  if (NOT_A_SECRET_KEY.test(key) || !SECRET_KEY.test(key) || isBenignValue(value)) return null;
  if (PASSWORD_KEY.test(key)) {
    return value.length >= PASSWORD_MIN_LENGTH && classes(value) >= 2 && entropy(value) >= PASSWORD_ENTROPY ? 'password' : null;
  }
  return value.length >= KEY_MIN_LENGTH && entropy(value) >= minEntropy ? 'generic_api_key' : null;
}

/** The whole key a label match starts inside of: `DB_PASSWORD` for a match at `PASSWORD`. */
function keyAround(text: string, start: number, match: string): string {
  let from = start;
  while (from > 0 && start - from < 60 && KEY_CHAR.test(text[from - 1]!)) from--;
  let to = 0;
  while (to < match.length && KEY_CHAR.test(match[to]!)) to++;
  return text.slice(from, start + to);
}

/** The secret's span: the named value group of the match when it has one, else the whole match. */
function span(m: RegExpExecArray): [number, number] {
  const groups = m.indices?.groups;
  const value = groups?.v ?? groups?.v2 ?? groups?.v3;
  return value ?? [m.index, m.index + m[0].length];
}

function judge(rule: SecretRule, text: string, m: RegExpExecArray, value: string, minEntropy: number): SecretType | null {
  if (isPlaceholder(value)) return null;
  if (rule.labelled) return labelled(keyAround(text, m.index, m[0]), value, minEntropy);
  if (rule.confirm && !rule.confirm(value) && entropy(value) < RANDOM_ENTROPY) return null;
  if (rule.userinfo) return isBenignValue(value) ? null : rule.type;
  if (rule.type === 'authorization_header' && (isPlainWord(value) || entropy(value) < 3)) return null;
  return rule.type;
}

/** Where ContextForge's SecretsDetectionPlugin says it found secrets, for the hooks it has. */
const CONTEXTFORGE_WHERE: Record<string, string> = {
  prompt_pre_fetch: 'prompt arguments', tool_post_invoke: 'tool result', resource_post_fetch: 'resource content',
};

export default (config: SecretsDetectionConfig) => {
  const on = (type: SecretType) => config.detect[type] ?? true;
  // the generic rule also finds passwords, so it runs when either switch is on
  const rules = secretRules().filter((r) => on(r.type) || (r.labelled !== undefined && on('password')));

  const find = (text: string): Finding<SecretType>[] => {
    const lower = text.toLowerCase();
    let found: Finding<SecretType>[] = [];
    for (const rule of rules) {
      if (!rule.keywords.some((k) => lower.includes(k))) continue;
      const mine: Finding<SecretType>[] = [];
      const re = rule.pattern;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const [start, end] = span(m);
        const type = judge(rule, text, m, text.slice(start, end), config.min_entropy);
        if (type && on(type)) mine.push({ type, start, end });
      }
      found = claim(found, mine);
    }
    return found;
  };

  const patterns = config.contextforge_patterns;

  return textHooks((fields, hook) => (payload: Payload): HookResult | undefined => {
    const counts: Record<string, number> = {};
    const inOrder: string[] = [];
    let total = 0;
    const record = (type: string) => {
      counts[type] = (counts[type] ?? 0) + 1;
      inOrder.push(type);
      total++;
    };
    const redact = (type: SecretType) => {
      record(type);
      return config.redaction_text.replaceAll('{type}', type);
    };

    // A value held under a key such as `api_key` or `password` is judged as a whole when no detector claims part of
    // it, since its label sits in the key rather than in the text.
    const rewrite = (text: string, key: string | null): string => {
      const found = find(text);
      if (found.length === 0 && key !== null) {
        const type = labelled(key, text, config.min_entropy);
        if (type && on(type)) return redact(type);
      }
      return replaceFindings(text, found, (f) => redact(f.type));
    };
    const rewriteAsContextForge = (text: string): string => {
      const scan = scanContextForge(text, patterns!, config.redaction_text);
      scan.types.forEach(record);
      return scan.text;
    };

    // ContextForge's scan reads every string, `type` and `role` values included, but of a resource only its text
    // (its uri, id and blob are not content)
    const walkAsContextForge = (value: unknown) => mapStrings(value, rewriteAsContextForge, null, SKIP_NONE);
    const scopeAsContextForge = (value: unknown) => {
      if (hook !== 'resource_post_fetch') return walkAsContextForge(value);
      return value !== null && typeof value === 'object' && 'text' in value ? { ...value, text: walkAsContextForge(value.text) } : value;
    };
    const modified = rewriteFields(payload, fields, (value) => (patterns ? scopeAsContextForge(value) : mapStrings(value, rewrite)));
    if (total === 0) return undefined;
    const action = config.action === 'block' && total < config.min_findings_to_block ? config.below_min_findings : config.action;
    const contextforge = config.violations === 'contextforge';
    const name = (type: string) => config.type_names[type] ?? type;
    const named = Object.fromEntries(Object.entries(counts).map(([type, n]) => [name(type), n]));
    // ContextForge lists one {type} per finding; Cordon counts them by type
    const listed = () => inOrder.map((type) => ({ type: name(type) }));
    if (action === 'redact') {
      return { modified_payload: modified, metadata: contextforge ? { secrets_redacted: true, count: total } : { secrets_found: total, secret_types: named } };
    }
    if (action === 'report') {
      return { metadata: contextforge ? { secrets_findings: listed(), count: total } : { secrets_found: total, secret_types: named } };
    }
    return {
      continue_processing: false,
      ...(config.redact_blocked ? { modified_payload: modified } : {}),
      violation: {
        reason: contextforge ? 'Secrets detected' : 'Secret detected',
        description: contextforge && Object.hasOwn(CONTEXTFORGE_WHERE, hook)
          ? `Potential secrets detected in ${CONTEXTFORGE_WHERE[hook]}`
          : `Found ${total} secret(s): ${Object.keys(named).join(', ')}`,
        code: 'SECRETS_DETECTED',
        details: contextforge ? { count: total, examples: listed() } : { types: named },
      },
      // ContextForge's blocked result has no metadata: its details say it all
      ...(contextforge ? {} : { metadata: { secrets_found: total, secret_types: named } }),
    };
  });
};
