import { claim, overlaps, replaceFindings, type Finding } from './lib/findings.js';
import { rewriteFields, textHooks } from './lib/hooks.js';
import { mapStrings } from './lib/strings.js';
import type { HookResult, Payload, SecretsDetectionConfig } from './schemas.js';

/**
 * Finds credentials in a payload's text (cloud keys, tokens, private key blocks, JWTs, high-entropy values given
 * as api_key=..., password: ... and the like) and blocks the request or redacts them.
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


function find(text: string, config: SecretsDetectionConfig): Finding<SecretType>[] {
  // A detector's own matches never overlap each other, so each is checked only against earlier detectors'.
  let found: Finding<SecretType>[] = [];
  for (const d of DETECTORS) {
    if (!config.detect[d.type]) continue;
    const mine: Finding<SecretType>[] = [];
    for (const match of text.matchAll(d.pattern)) {
      const secret = match.length > 1 ? (match[match.length - 1] ?? match[0]) : match[0];
      const end = match.index + match[0].length;
      const start = end - secret.length;
      if (d.entropy && entropy(secret) < config.min_entropy) continue;
      if (overlaps(found, start, end)) continue;
      mine.push({ type: d.type, start, end });
    }
    found = claim(found, mine);
  }
  return found;
}


export default (config: SecretsDetectionConfig) => {
  return textHooks((fields) => (payload: Payload): HookResult | undefined => {
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
      return replaceFindings(text, found, (f) => {
        note(f.type);
        return config.redaction_text;
      });
    };

    const modified = rewriteFields(payload, fields, (value) => mapStrings(value, rewrite));
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
  });
};
