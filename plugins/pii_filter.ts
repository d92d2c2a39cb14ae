import { claim, replaceFindings, type Finding } from './lib/findings.js';
import { rewriteFields, textHooks } from './lib/hooks.js';
import { mapStrings } from './lib/strings.js';
import type { HookResult, Payload, PiiFilterConfig, PiiStrategy, PiiType } from './schemas.js';

/**
 * Finds personal data (email, phone, SSN, credit card, IP address, IBAN) in the text of a payload and masks,
 * redacts, hashes it, or blocks the request.
 */

interface Detector {
  type: PiiType;
  pattern: RegExp;
  valid?: (text: string) => boolean;
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

// Order matters: a detector earlier in the list claims its text first, so the digits of an IBAN are never also read
// as a card number, nor a card number as a phone number. Each pattern starts with a lookbehind so a scan starts once
// per run of characters, which keeps long inputs linear.
const DETECTORS: Detector[] = [
  { type: 'email', pattern: /(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])/g },
  {
    type: 'iban',
    pattern: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/g,
    valid: (t) => ibanValid(t.replace(/ /g, '')),
  },
  { type: 'credit_card', pattern: /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g, valid: (t) => luhn(t.replace(/\D/g, '')) },
  { type: 'ssn', pattern: /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g },
  { type: 'ip_address', pattern: new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w.]*\\w)`, 'g') },
  { type: 'ip_address', pattern: /(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])/g, valid: ipv6Valid },
  // Bare digit runs are left alone (too many ids and timestamps look like that): a number needs a leading +, or
  // separators between its groups as in (415) 555-0132 or a national 020 7946 0018.
  {
    type: 'phone',
    pattern: /(?<![\w+])(?:\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}|(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}|\(?0[1-9]\d{0,3}\)?[ .-]\d{3,4}[ .-]\d{3,4})(?![\w])/g,
    valid: (t) => {
      const digits = t.replace(/\D/g, '').length;
      return digits >= 8 && digits <= 15;
    },
  },
];

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

/** ISO 13616: move the first four characters to the end, read letters as 10..35, and the number mod 97 is 1. */
function ibanValid(iban: string): boolean {
  if (iban.length < 15 || iban.length > 34) return false;
  let rest = 0;
  for (const ch of iban.slice(4) + iban.slice(0, 4)) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const digit of value) rest = (rest * 10 + Number(digit)) % 97;
  }
  return rest === 1;
}

function ipv6Valid(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (groups.length === 0 || !groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length <= 7 : groups.length === 8;
}

/**
 * FNV-1a over UTF-16 code units, two passes with different offset bases for a 64-bit label. NOT cryptographic:
 * it keeps equal values joinable in logs without showing them, but a short value (an SSN) can be recovered by
 * trying every candidate, salt or not.
 */
function fnv1a(text: string, basis: number): string {
  let hash = basis;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

function find(text: string, config: PiiFilterConfig, allow: RegExp[]): Finding<PiiType>[] {
  // A detector's own matches never overlap each other, so each is checked only against earlier detectors'.
  let found: Finding<PiiType>[] = [];
  for (const { type, pattern, valid } of DETECTORS) {
    if (!config.detect[type]) continue;
    const mine: Finding<PiiType>[] = [];
    for (const match of text.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (valid && !valid(match[0])) continue;
      if (allow.some((re) => re.test(match[0]))) continue;
      mine.push({ type, start, end });
    }
    found = claim(found, mine);
  }
  return found;
}

/** Keeps the last four letters or digits (and every separator) so a person can still tell two values apart. */
function keepLastFour(text: string, maskChar: string): string {
  let keep = 4;
  return [...text].reverse().map((ch) => (/[A-Za-z0-9]/.test(ch) && keep-- <= 0 ? maskChar : ch)).reverse().join('');
}

function mask(type: PiiType, text: string, maskChar: string): string {
  if (type === 'email') {
    const at = text.indexOf('@');
    return text[0] + maskChar.repeat(Math.max(at - 1, 1)) + text.slice(at);
  }
  if (type === 'ip_address') {
    const sep = text.includes(':') ? ':' : '.';
    return text.split(sep).map((part, i) => (i === 0 || part === '' ? part : maskChar)).join(sep);
  }
  return keepLastFour(text, maskChar);
}

export default (config: PiiFilterConfig) => {
  const allow = config.allow.map((source) => new RegExp(`^(?:${source})$`));
  const strategyOf = (type: PiiType): PiiStrategy => config.strategy_by_type[type] ?? config.strategy;

  const replacement = (type: PiiType, text: string): string => {
    const label = type.toUpperCase();
    switch (strategyOf(type)) {
      case 'redact':
        return config.redaction_text.replaceAll('{type}', label);
      case 'hash':
        return `[${label}:${fnv1a(config.hash_salt + text, 0x811c9dc5)}${fnv1a(text + config.hash_salt, 0x050c5d1f)}]`;
      default:
        return mask(type, text, config.mask_char);
    }
  };

  /** Scans every string of the given payload fields; `role` and `type` keys name message structure, not text. */
  const scan = (payload: Payload, fields: readonly string[]): HookResult | undefined => {
    const counts: Partial<Record<PiiType, number>> = {};
    let total = 0;
    let blocked = false;
    const rewrite = (text: string): string => {
      return replaceFindings(text, find(text, config, allow), (f, value) => {
        counts[f.type] = (counts[f.type] ?? 0) + 1;
        total++;
        if (strategyOf(f.type) === 'block') blocked = true;
        return replacement(f.type, value);
      });
    };
    const modified = rewriteFields(payload, fields, (value) => mapStrings(value, rewrite));
    if (total === 0) return undefined;
    const metadata = { pii_found: total, pii_types: counts };
    if (blocked) {
      return {
        continue_processing: false,
        violation: {
          reason: 'Personal data detected',
          description: `Found ${total} item(s) of personal data: ${Object.keys(counts).join(', ')}`,
          code: 'PII_DETECTED',
          details: { types: counts },
        },
        metadata,
      };
    }
    return { modified_payload: modified, metadata };
  };

  return textHooks((fields) => (payload: Payload) => scan(payload, fields));
};
