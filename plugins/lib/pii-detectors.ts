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

export type Detectable =
  | 'email' | 'phone' | 'ssn' | 'credit_card' | 'ip_address' | 'iban' | 'nhs_number' | 'es_dni' | 'aadhaar'
  | 'bsn' | 'date_of_birth' | 'passport' | 'driver_license' | 'medical_record' | 'bank_account';

export interface PiiDetector<T extends string> {
  type: T;
  pattern: RegExp;
  /** the type's own check of a candidate, told where in `text` it starts */
  valid?: (value: string, text: string, start: number) => boolean;
}

/** Whether one of `words` is written in the 40 characters before `start`, as Presidio's context words are read. */
const wordsBefore = (words: RegExp, text: string, start: number) => words.test(text.slice(Math.max(0, start - 40), start));

/**
 * An id written as a bare run of digits (no grouping) is as likely an order number or a timestamp: it counts only
 * with a word naming it shortly before.
 */
const namedBefore = (words: RegExp) => (value: string, text: string, start: number) => /\D/.test(value) || wordsBefore(words, text, start);

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

/** Detection wider than Cordon's own, as ContextForge's PII filter finds (each off unless asked for). */
export interface PiiWidening {
  /** an SSN written as nine bare digits behind `SSN` or `Social Security Number`, label and all */
  labelledSsnDigits?: boolean;
  /** every MM/DD/YYYY date of 19xx or 20xx is a date of birth, with no word saying so */
  anyDateOfBirth?: boolean;
  /** a passport, licence or record number behind its label may be letters only (`License: Apache`) */
  labelledIdsWithoutDigit?: boolean;
}

/**
 * Identifiers that have no checksum or shape of their own (passports, licences, record and account numbers, dates of
 * birth, Dutch BSNs) are found only behind the label that names them, and the span is the label with the identifier,
 * as ContextForge's PII filter finds and masks them (`Passport Number: X1234567` -> `[REDACTED]`). Labels are read in
 * any case. Unless widened, a passport, licence or record number must hold a digit, so `License: Apache` is not one.
 */
const labelled = (label: string, value: string) => new RegExp(`\\b(?:${label})${value}\\b`, 'gi');
const holdsDigit = (value: string) => /\d/.test(value);
const anything = () => true;
/** A US-written date (MM/DD/YYYY) counts as a date of birth only with a word saying so shortly before it. */
const birthNamed = (_value: string, text: string, start: number) => wordsBefore(/\b(?:dob|born|birth)/i, text, start);

function labelledDetectors(widen: PiiWidening): PiiDetector<Detectable>[] {
  const idValid = widen.labelledIdsWithoutDigit ? anything : holdsDigit;
  return [
    ...(widen.labelledSsnDigits
      ? [{ type: 'ssn' as const, pattern: labelled('SSN|Social\\s+Security(?:\\s+Number)?', '[:\\s#-]*(?!000|666|9\\d\\d)\\d{3}(?!00)\\d{2}(?!0000)\\d{4}') }]
      : []),
    // "BSN: 123456789", "Citizen Service Number 123456789", "my BSN is 123456789"
    { type: 'bsn', pattern: labelled('(?:My\\s+)?BSN\\s+(?:is\\s+)?|(?:BSN|Citizen\\s+ID|Citizen\\s+Service\\s+Number|Burgerservicenummer)[:\\s#]*', '\\d{9}') },
    { type: 'date_of_birth', pattern: labelled('DOB|Date\\s+of\\s+Birth|Born|Birthday', '[:\\s]+\\d{1,2}[-/]\\d{1,2}[-/]\\d{2,4}') },
    {
      type: 'date_of_birth',
      pattern: /\b(?:0[1-9]|1[0-2])[-/](?:0[1-9]|[12]\d|3[01])[-/](?:19|20)\d{2}\b/g,
      valid: widen.anyDateOfBirth ? anything : birthNamed,
    },
    { type: 'passport', pattern: labelled('Passport\\s+Number|Passport\\s+No|Passport', '[#:\\s-]+[A-Z0-9]{6,9}'), valid: idValid },
    {
      type: 'driver_license',
      pattern: labelled("Driver'?s?\\s+Licen[cs]e(?:\\s+(?:Number|No))?|Licen[cs]e(?:\\s+(?:Number|No))?|DL", '[#:\\s]+[A-Z0-9]{5,20}'),
      valid: idValid,
    },
    { type: 'medical_record', pattern: labelled('MRN|Medical\\s+Record(?:\\s+(?:Number|No))?', '[#:\\s]+[A-Z0-9]{6,12}'), valid: idValid },
    // an account number in words; an IBAN is the iban detector's (checked by mod 97)
    { type: 'bank_account', pattern: labelled('Bank\\s+Account|Account\\s+Number|Routing\\s+Account|Account|Acct', '[#:\\s-]*\\d{8,17}') },
  ];
}

/** Builds the detectors once per plugin instance (every regex compiled here). */
export function piiDetectors(phoneRegions?: readonly string[], widen: PiiWidening = {}): PiiDetector<Detectable>[] {
  const phone = phoneChecker(phoneRegions);
  // Order matters: an earlier type claims its text first. Labelled ids come first, as their label starts before any
  // number inside them; national ids (switched on by choice) come before cards, so a 12-digit Aadhaar number that
  // also happens to pass Luhn stays an Aadhaar number.
  return [
    ...labelledDetectors(widen),
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
