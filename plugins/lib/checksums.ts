/**
 * The public check-digit algorithms the detectors rely on to tell a real identifier from a look-alike: Luhn (cards),
 * ISO 7064 mod 97-10 (IBAN), Verhoeff (Aadhaar), mod 11 (NHS), the DNI letter, and the CRC32 + base62 suffix that
 * GitHub and npm put on their tokens. Pure functions over strings: no clock, no randomness, no globals.
 */

/** Luhn (ISO/IEC 7812): doubling every second digit from the right, the sum is a multiple of 10. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** ISO 13616: the first four characters moved to the end, letters read as 10..35, the number mod 97 is 1. */
export function mod97(iban: string): boolean {
  let rest = 0;
  for (let i = 0; i < iban.length; i++) {
    const code = iban.charCodeAt((i + 4) % iban.length);
    if (code >= 65 && code <= 90) rest = (rest * 100 + code - 55) % 97;
    else if (code >= 48 && code <= 57) rest = (rest * 10 + code - 48) % 97;
    else return false;
  }
  return rest === 1;
}

// Verhoeff's dihedral-group tables (D5 multiplication and the position permutation).
const VERHOEFF_D = [
  '0123456789', '1234067895', '2340178956', '3401289567', '4012395678',
  '5987604321', '6598710432', '7659821043', '8765932104', '9876543210',
].map((row) => [...row].map(Number));
const VERHOEFF_P = [
  '0123456789', '1576283094', '5803796142', '8916043527', '9453126870', '4286573901', '2793806415', '7046913258',
].map((row) => [...row].map(Number));

/** Verhoeff check (Aadhaar's last digit). */
export function verhoeff(digits: string): boolean {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(digits.length - 1 - i) - 48;
    c = VERHOEFF_D[c]![VERHOEFF_P[i % 8]![d]!]!;
  }
  return c === 0;
}

/** NHS number: weights 10..2 over the first nine digits, 11 - (sum mod 11) is the tenth (11 -> 0, 10 is invalid). */
export function nhsMod11(digits: string): boolean {
  if (digits.length !== 10) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  const check = 11 - (sum % 11);
  return check !== 10 && (check === 11 ? 0 : check) === digits.charCodeAt(9) - 48;
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish DNI (8 digits) or NIE (X/Y/Z then 7 digits): the letter is the number mod 23 in DNI_LETTERS. */
export function dniLetter(id: string): boolean {
  const first = 'XYZ'.indexOf(id[0]!);
  const number = Number((first >= 0 ? String(first) + id.slice(1, -1) : id.slice(0, -1)));
  return DNI_LETTERS[number % 23] === id[id.length - 1]!.toUpperCase();
}

const CRC_TABLE = (() => {
  const table: number[] = [];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table.push(c >>> 0);
  }
  return table;
})();

/** CRC-32 (IEEE 802.3) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `n` in base 62, left-padded with '0' to `width`. */
export function base62(n: number, width: number): string {
  let out = '';
  for (let v = n; v > 0; v = Math.floor(v / 62)) out = BASE62[v % 62] + out;
  return out.padStart(width, '0');
}

/**
 * GitHub's and npm's token scheme: `<prefix>_` then 30 random base62 characters and 6 more that are the CRC32 of
 * those 30, in base62. A token that fails it was typed by hand or made up, not issued.
 */
export function crc32Suffix(body: string): boolean {
  if (body.length !== 36) return false;
  return base62(crc32(body.slice(0, 30)), 6) === body.slice(30);
}

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}
