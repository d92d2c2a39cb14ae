import cardTypes from 'credit-card-type/dist/lib/card-types.js';
import { countrySpecs } from 'ibantools';
import { dniLetter, luhn, mod97, nhsMod11, verhoeff } from './checksums.js';
import { phoneChecker } from './phones.js';

/**
 * The personal-data detectors, in the order they claim text: a candidate pattern finds a span cheaply, then the
 * type's own check (a checksum, a brand range, a per-country length) decides. Card brands and IBAN country formats
 * come from well-kept tables on npm (Braintree's credit-card-type, ibantools' copy of the SWIFT IBAN registry),
 * phone numbers from libphonenumber's metadata (phones.ts).
 */

export type Detectable = 'email' | 'phone' | 'ssn' | 'credit_card' | 'ip_address' | 'iban' | 'nhs_number' | 'es_dni' | 'aadhaar';

export interface PiiDetector<T extends string> {
  type: T;
  pattern: RegExp;
  /** the type's own check of a candidate, told where in `text` it starts */
  valid?: (value: string, text: string, start: number) => boolean;
}

/**
 * An id written as a bare run of digits (no grouping) is as likely an order number or a timestamp: it counts only
 * with a word naming it shortly before, as Presidio's context words do.
 */
const namedBefore = (words: RegExp) => (value: string, text: string, start: number) =>
  /\D/.test(value) || words.test(text.slice(Math.max(0, start - 40), start));

const digitsOf = (text: string) => {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) out += text[i];
  }
  return out;
};
const compact = (text: string) => {
  let out = '';
  for (let i = 0; i < text.length; i++) if (text[i] !== ' ' && text[i] !== '-') out += text[i];
  return out;
};

interface Brand {
  prefixes: Array<[low: number, high: number, width: number]>;
  lengths: ReadonlySet<number>;
}
type CardTable = Record<string, { patterns: Array<number | number[]>; lengths: number[] }>;
const BRANDS: Brand[] = Object.values(cardTypes as unknown as CardTable).map((card) => ({
  prefixes: card.patterns.map((p) => {
    const [low, high] = Array.isArray(p) ? [p[0]!, p[1] ?? p[0]!] : [p, p];
    return [low, high, String(low).length] as [number, number, number];
  }),
  lengths: new Set(card.lengths),
}));

/** A card number: a brand's issuer range and length (Visa, Mastercard, Amex, Discover, JCB, UnionPay, ...) and Luhn. */
export function isCard(digits: string): boolean {
  if (!luhn(digits)) return false;
  return BRANDS.some((b) => b.lengths.has(digits.length) && b.prefixes.some(([low, high, width]) => {
    const head = Number(digits.slice(0, width));
    return head >= low && head <= high;
  }));
}

type IbanSpecs = Record<string, { chars?: number; bban_regexp?: string }>;

/** IBAN: the country's length and BBAN format from the registry, then ISO 7064 mod 97-10. */
function ibanChecker(): (text: string) => boolean {
  const formats = new Map<string, { length: number; bban: RegExp }>();
  for (const [country, spec] of Object.entries(countrySpecs as IbanSpecs)) {
    if (spec.chars && spec.bban_regexp) formats.set(country, { length: spec.chars, bban: new RegExp(spec.bban_regexp) });
  }
  return (text) => {
    const iban = compact(text);
    const format = formats.get(iban.slice(0, 2));
    return format !== undefined && iban.length === format.length && format.bban.test(iban.slice(4)) && mod97(iban);
  };
}

/** US SSN rules: area 001-899 except 666, group 01-99, serial 0001-9999 (the regex enforces them). */
const SSN = /(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])/g;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

function ipv6Valid(text: string): boolean {
  const double = text.indexOf('::');
  if (double !== -1 && text.indexOf('::', double + 1) !== -1) return false;
  let groups = 0;
  for (const part of text.split(':')) {
    if (part === '') continue;
    if (part.length > 4) return false;
    groups++;
  }
  return groups > 0 && (double !== -1 ? groups <= 7 : groups === 8);
}

const nhsNamed = namedBefore(/nhs|health/i);
const aadhaarNamed = namedBefore(/aadhaa?r|uidai|\buid/i);

/** Builds the detectors once per plugin instance (every regex compiled here). */
export function piiDetectors(phoneRegions?: readonly string[]): PiiDetector<Detectable>[] {
  const phone = phoneChecker(phoneRegions);
  // Order matters: an earlier type claims its text first. National ids (switched on by choice) come before cards, so
  // a 12-digit Aadhaar number that also happens to pass Luhn stays an Aadhaar number.
  return [
    { type: 'iban', pattern: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/g, valid: ibanChecker() },
    { type: 'ssn', pattern: SSN },
    { type: 'nhs_number', pattern: /(?<!\d[ -]?)\d{3}([ -]?)\d{3}\1\d{4}(?![ -]?\d)/g, valid: (t, text, at) => nhsMod11(digitsOf(t)) && nhsNamed(t, text, at) },
    { type: 'es_dni', pattern: /(?<![A-Za-z0-9])(?:\d{8}|[XYZ]\d{7})-?[A-Z](?![A-Za-z0-9])/g, valid: (t) => dniLetter(compact(t)) },
    { type: 'aadhaar', pattern: /(?<!\d[ -]?)[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?![ -]?\d)/g, valid: (t, text, at) => verhoeff(digitsOf(t)) && aadhaarNamed(t, text, at) },
    { type: 'credit_card', pattern: /(?<![A-Za-z0-9-])\d(?:[ -]?\d){11,18}(?![A-Za-z0-9]|[ -]?\d)/g, valid: (t) => isCard(digitsOf(t)) },
    { type: 'ip_address', pattern: new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w.]*\\w)`, 'g') },
    { type: 'ip_address', pattern: /(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])/g, valid: ipv6Valid },
    // A number needs a leading + or separators between its groups: bare digit runs are ids and timestamps.
    {
      type: 'phone',
      pattern: /(?<![\w+.-])(?:\+\d{1,3}(?:[ .-]?(?:\(0\)[ .-]?)?\(?\d{1,5}\)?){1,6}|(?:\(\d{2,5}\) ?|\d{2,5}[ .-])\d{2,8}(?:[ .-]\d{2,8}){0,3})(?![\w]|[.-]\d)/g,
      valid: phone,
    },
  ];
}
