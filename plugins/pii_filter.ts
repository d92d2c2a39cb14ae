import { findEmails } from './lib/emails.js';
import { claim, replaceFindings, type Finding } from './lib/findings.js';
import { rewriteFields, textHooks, type TextHook } from './lib/hooks.js';
import { piiDetectors, type PiiDetector } from './lib/pii-detectors.js';
import { mapStrings } from './lib/strings.js';
import type { HookResult, Payload, PiiFilterConfig, PiiStrategy, PiiType } from './schemas.js';

/**
 * Finds personal data (emails, phone numbers, cards, IBANs, IP addresses, US SSNs and, when switched on, UK NHS
 * numbers, Spanish DNI/NIE, Indian Aadhaar numbers and the ids found behind their label: Dutch BSNs, dates of birth,
 * passport, driver's licence, medical record and bank account numbers) in the text of a payload and masks, redacts, hashes it, or
 * blocks the request. Each type is confirmed by its own check (Luhn and brand ranges, mod 97 and the country's
 * length, the country's phone plan, the id's check digit), so ids that only look alike pass untouched.
 */

// Types whose switch is absent from `detect` default to these (national ids are opt-in).
const DEFAULT_ON: Record<PiiType, boolean> = {
  email: true, phone: true, ssn: true, credit_card: true, ip_address: true, iban: true,
  nhs_number: false, es_dni: false, aadhaar: false,
  bsn: false, date_of_birth: false, passport: false, driver_license: false, medical_record: false, bank_account: false,
};

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

/**
 * Emails first, then each detector in order: an earlier type claims its text first, so the digits of an IBAN are
 * never also read as a card number, nor a card number as a phone number. A detector's own matches never overlap, so
 * each is checked only against earlier claims.
 */
function find(text: string, detectors: readonly PiiDetector<PiiType>[], emails: boolean, allow: readonly RegExp[]): Finding<PiiType>[] {
  const allowed = (value: string) => allow.some((re) => re.test(value));
  let found: Finding<PiiType>[] = [];
  if (emails) {
    for (const [start, end] of findEmails(text)) if (!allowed(text.slice(start, end))) found.push({ type: 'email', start, end });
  }
  for (const { type, pattern, valid } of detectors) {
    const mine: Finding<PiiType>[] = [];
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      const value = m[0];
      if ((valid && !valid(value, text, m.index)) || allowed(value)) continue;
      mine.push({ type, start: m.index, end: m.index + value.length });
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

/**
 * ContextForge's `partial` masking, type by type: SSNs, cards and phones keep their last four (of the characters
 * for an SSN and a BSN, of the digits otherwise) behind a fixed pattern, an email its local part's first and last
 * character (when it has more than two) and its domain, an IBAN or a labelled bank account its first two and last
 * four characters; anything else its first and last character.
 */
function partial(type: PiiType, text: string): string {
  const digits = text.replace(/[^0-9]/g, '');
  switch (type) {
    case 'ssn':
      return text.length >= 4 ? `***-**-${text.slice(-4)}` : '***-**-****';
    case 'credit_card':
      return digits.length >= 4 ? `****-****-****-${digits.slice(-4)}` : '****-****-****-****';
    case 'phone':
      return digits.length >= 4 ? `***-***-${digits.slice(-4)}` : '***-***-****';
    case 'email': {
      const at = text.indexOf('@');
      const local = text.slice(0, at);
      return local.length > 2 ? `${local[0]}***${local.slice(-1)}${text.slice(at)}` : `***${text.slice(at)}`;
    }
    case 'bsn':
      return text.length >= 4 ? `*****${text.slice(-4)}` : '[REDACTED]';
    case 'iban':
    case 'bank_account':
      return text.slice(0, 2) + '*'.repeat(Math.max(text.length - 6, 0)) + text.slice(-4);
    default: {
      const chars = [...text];
      return chars.length > 2 ? chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1] : chars.length === 2 ? `${chars[0]}*` : '*';
    }
  }
}

/** ContextForge's violation for each hook it scans (its reason, description and code differ by hook). */
const CONTEXTFORGE_VIOLATIONS: Partial<Record<TextHook, [reason: string, description: string, code: string]>> = {
  prompt_pre_fetch: ['PII detected in prompt arguments', 'Sensitive information detected in prompt arguments', 'PII_DETECTED'],
  prompt_post_fetch: ['PII detected in prompt messages', 'Sensitive information detected in prompt result', 'PII_DETECTED_IN_PROMPT_RESULT'],
  tool_pre_invoke: ['PII detected in tool arguments', 'Sensitive information detected in tool arguments', 'PII_DETECTED_IN_TOOL_ARGS'],
  tool_post_invoke: ['PII detected in tool result', 'Sensitive information detected in tool result', 'PII_DETECTED_IN_TOOL_RESULT'],
};

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
  const on = (type: PiiType) => config.detect[type] ?? DEFAULT_ON[type];
  const detectors = piiDetectors(config.phone_regions, {
    labelledSsnDigits: config.ssn_labelled_digits,
    anyDateOfBirth: config.any_date_of_birth,
    labelledIdsWithoutDigit: config.labelled_ids_without_digit,
  }).filter((d) => on(d.type));
  const emails = on('email');
  const strategyOf = (type: PiiType): PiiStrategy => config.strategy_by_type[type] ?? config.strategy;

  const replacement = (type: PiiType, text: string): string => {
    const label = type.toUpperCase();
    switch (strategyOf(type)) {
      case 'redact':
        return config.redaction_text.replaceAll('{type}', label);
      case 'partial':
        return partial(type, text);
      case 'hash':
        return `[${config.hash_label ?? label}:${fnv1a(config.hash_salt + text, 0x811c9dc5)}${fnv1a(text + config.hash_salt, 0x050c5d1f)}]`;
      default:
        return mask(type, text, config.mask_char);
    }
  };

  /** Scans every string of the given payload fields; `role` and `type` keys name message structure, not text. */
  const scan = (payload: Payload, fields: readonly string[], hook: TextHook): HookResult | undefined => {
    const counts: Partial<Record<PiiType, number>> = {};
    let total = 0;
    let blocked = false;
    const rewrite = (text: string): string => {
      return replaceFindings(text, find(text, detectors, emails, allow), (f, value) => {
        counts[f.type] = (counts[f.type] ?? 0) + 1;
        total++;
        if (strategyOf(f.type) === 'block') blocked = true;
        return replacement(f.type, value);
      });
    };
    const modified = rewriteFields(payload, fields, (value) => mapStrings(value, rewrite));
    if (total === 0) return undefined;
    const named: Record<string, number> = {};
    for (const [type, n] of Object.entries(counts) as Array<[PiiType, number]>) {
      const name = config.type_names[type] ?? type;
      named[name] = (named[name] ?? 0) + n;
    }
    const metadata = { pii_found: total, pii_types: named };
    const contextforge = config.violations === 'contextforge' ? CONTEXTFORGE_VIOLATIONS[hook] : undefined;
    if (blocked && contextforge) {
      const [reason, description, code] = contextforge;
      return { continue_processing: false, violation: { reason, description, code, details: { detected_types: Object.keys(named).sort(), count: total } }, metadata };
    }
    if (blocked) {
      return {
        continue_processing: false,
        violation: {
          reason: 'Personal data detected',
          description: `Found ${total} item(s) of personal data: ${Object.keys(named).join(', ')}`,
          code: 'PII_DETECTED',
          details: { types: named },
        },
        metadata,
      };
    }
    return { modified_payload: modified, metadata };
  };

  return textHooks((fields, hook) => (payload: Payload) => scan(payload, fields, hook));
};
