import type { HookResult, Payload, SecretsDetectionConfig } from './schemas.js';

/**
 * Finds credentials in a payload's text (cloud keys, tokens, private key blocks, JWTs, high-entropy values given
 * as api_key=..., password: ... and the like) and blocks the request or redacts them. Self-contained for the sandbox.
 */

type SecretType = keyof SecretsDetectionConfig['detect'];

interface Detector {
  type: SecretType;
  /** the secret is the last capture group when there is one, else the whole match */
  pattern: RegExp;
  /** generic values must look machine-made */
  entropy?: boolean;
}

const KEY_NAMES = 'api[_-]?key|apikey|api[_-]?secret|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|token|secret|password|passwd';
const SECRET_KEY = new RegExp(`^(?:[A-Za-z0-9]+[_-])?(?:${KEY_NAMES})$`, 'i');
const GENERIC_VALUE = /^[A-Za-z0-9_\-/+=.~]{16,}$/;

// Specific detectors come first: the first detector to claim a span keeps it.
const DETECTORS: Detector[] = [
  {
    type: 'private_key',
    pattern: /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[\s\S]*$)/g,
  },
  { type: 'aws_access_key', pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g },
  {
    type: 'aws_secret_key',
    pattern: /(?<![A-Za-z0-9])aws_?secret_?access_?key["']?[ \t]{0,5}[:=][ \t]{0,5}["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
  },
  { type: 'github_token', pattern: /(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?!\w)/g },
  {
    type: 'slack_token',
    pattern: /(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,250}(?![\w-])|https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/g,
  },
  { type: 'google_api_key', pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g },
  { type: 'jwt', pattern: /(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*(?![\w-])/g },
  {
    type: 'generic_api_key',
    pattern: new RegExp(`(?<![A-Za-z0-9])(?:${KEY_NAMES})["']?[ \\t]{0,5}[:=][ \\t]{0,5}["']?([A-Za-z0-9_\\-/+=.~]{16,256})`, 'gi'),
    entropy: true,
  },
  { type: 'generic_api_key', pattern: /(?<![A-Za-z0-9])bearer[ \t]+([A-Za-z0-9_\-.~+/]{16,256}=*)/gi, entropy: true },
];

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

interface Finding {
  type: SecretType;
  start: number;
  end: number;
}

function find(text: string, config: SecretsDetectionConfig): Finding[] {
  // A detector's own matches never overlap each other, so each is checked only against earlier detectors'.
  let found: Finding[] = [];
  for (const d of DETECTORS) {
    if (!config.detect[d.type]) continue;
    const mine: Finding[] = [];
    for (const match of text.matchAll(d.pattern)) {
      const secret = match.length > 1 ? (match[match.length - 1] ?? match[0]) : match[0];
      const end = match.index + match[0].length;
      const start = end - secret.length;
      if (d.entropy && entropy(secret) < config.min_entropy) continue;
      if (overlaps(found, start, end)) continue;
      mine.push({ type: d.type, start, end });
    }
    found = [...found, ...mine].sort((a, b) => a.start - b.start);
  }
  return found;
}

/** Whether [start, end) overlaps a finding of `sorted` (ordered by start, none overlapping): a binary search. */
function overlaps(sorted: Finding[], start: number, end: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo]!.start < end;
}

export default (config: SecretsDetectionConfig) => {
  const on = (fields: readonly string[]) => (payload: Payload): HookResult | undefined => {
    const counts: Partial<Record<SecretType, number>> = {};
    let total = 0;
    const note = (type: SecretType) => {
      counts[type] = (counts[type] ?? 0) + 1;
      total++;
    };

    // A value held under a key such as `api_key` or `password` is judged as a whole when no detector claims part of
    // it, since its label sits in the key rather than in the text.
    const rewrite = (text: string, key: string | null): string => {
      const found = find(text, config);
      if (
        found.length === 0 && config.detect.generic_api_key && key !== null && SECRET_KEY.test(key) &&
        GENERIC_VALUE.test(text) && entropy(text) >= config.min_entropy
      ) {
        note('generic_api_key');
        return config.redaction_text;
      }
      let out = '';
      let at = 0;
      for (const f of found) {
        note(f.type);
        out += text.slice(at, f.start) + config.redaction_text;
        at = f.end;
      }
      return found.length ? out + text.slice(at) : text;
    };

    const modified: Payload = { ...payload };
    for (const field of fields) if (field in payload) modified[field] = mapStrings(payload[field], null, rewrite);
    if (total === 0) return undefined;
    const metadata = { secrets_found: total, secret_types: counts };
    if (config.action === 'redact') return { modified_payload: modified, metadata };
    return {
      continue_processing: false,
      violation: {
        reason: 'Secret detected',
        description: `Found ${total} secret(s): ${Object.keys(counts).join(', ')}`,
        code: 'SECRETS_DETECTED',
        details: { types: counts },
      },
      metadata,
    };
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

const STRUCTURAL_KEYS = new Set(['role', 'type']);

/** Rewrites every string leaf, telling `fn` the key it sits under; same reference when nothing changed. */
function mapStrings(value: unknown, key: string | null, fn: (text: string, key: string | null) => string): unknown {
  if (typeof value === 'string') return fn(value, key);
  if (Array.isArray(value)) {
    const out = value.map((item) => mapStrings(item, key, fn));
    return out.some((item, i) => item !== value[i]) ? out : value;
  }
  if (value === null || typeof value !== 'object') return value;
  let out: Record<string, unknown> | undefined;
  for (const [k, item] of Object.entries(value)) {
    if (STRUCTURAL_KEYS.has(k) || k === '__proto__') continue;
    const next = mapStrings(item, k, fn);
    if (next !== item) (out ??= { ...value })[k] = next;
  }
  return out ?? value;
}
