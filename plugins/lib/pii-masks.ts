import type { PiiFilterConfig, PiiStrategy, PiiType } from '../schemas.js';

/** What pii_filter writes in place of what it finds, strategy by strategy (`block` writes nothing: it blocks). */

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

/** Keeps the last four letters or digits (and every separator) so a person can still tell two values apart. */
function keepLastFour(text: string, maskChar: string): string {
  let keep = 4;
  return [...text].reverse().map((ch) => (/[A-Za-z0-9]/.test(ch) && keep-- <= 0 ? maskChar : ch)).reverse().join('');
}

/**
 * ContextForge's `partial` masking, type by type: SSNs, cards and phones keep their last four (of the characters
 * for an SSN and a BSN, of the digits otherwise) behind a fixed pattern, an email its local part's first and last
 * character (when it has more than two) and its domain, an IBAN or a labelled bank account its first two and last
 * four characters; anything else its first and last character (code points, so `José` keeps its `é`).
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

/** The replacement writer of one plugin instance (its token counter lives as long as the instance). */
export function replacer(config: PiiFilterConfig): (type: PiiType, text: string, strategy: PiiStrategy) => string {
  let tokens = 0;
  return (type, text, strategy) => {
    const label = type.toUpperCase();
    switch (strategy) {
      case 'redact':
        return config.redaction_text.replaceAll('{type}', label);
      case 'remove':
        return '';
      case 'partial':
        return partial(type, text);
      case 'hash':
        return `[${config.hash_label ?? label}:${fnv1a(config.hash_salt + text, 0x811c9dc5)}${fnv1a(text + config.hash_salt, 0x050c5d1f)}]`;
      case 'tokenize': {
        // made from the salt and a count, never from the value: a token tells nothing of what it replaced
        tokens++;
        return `[TOKEN:${fnv1a(`${config.hash_salt}#${tokens}`, 0x811c9dc5)}]`;
      }
      default:
        return mask(type, text, config.mask_char);
    }
  };
}
