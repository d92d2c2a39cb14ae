/**
 * Email addresses in every form RFC 5322/6531 allows in practice: dot-atom and quoted local parts, internationalised
 * (Unicode) local parts and domains, punycode TLDs and address literals (`user@[192.0.2.1]`). Found from each `@`
 * outwards rather than with one regex, which would try a match at every character of a long text.
 */

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
// Printable specials RFC 5322 allows in an unquoted local part, less those that in running text, URLs and code
// delimit rather than belong to an address ('=', '&', '/', quotes, backquote, braces, '|', '?').
const LOCAL_SPECIALS = new Set(['!', '#', '$', '%', '*', '+', '^', '_', '~', '-', '.']);
// Names like icon@2x.png are files, not addresses.
const FILE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'css', 'js', 'mjs', 'ts', 'map', 'json', 'pdf', 'txt']);

const isAlnum = (ch: string) => {
  const c = ch.charCodeAt(0);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c > 127 && LETTER_OR_DIGIT.test(ch));
};
const isLocal = (ch: string | undefined) => ch !== undefined && (isAlnum(ch) || LOCAL_SPECIALS.has(ch));
const isDomain = (ch: string | undefined) => ch !== undefined && (isAlnum(ch) || ch === '-' || ch === '.');

function localStart(text: string, at: number): number {
  if (text[at - 1] === '"') {
    const open = text.lastIndexOf('"', at - 2);
    if (open === -1 || at - 1 - open < 2 || at - open > 66) return -1;
    const quoted = text.slice(open + 1, at - 1);
    return quoted.includes('\n') || quoted.includes('\r') ? -1 : open;
  }
  let i = at;
  while (i > 0 && at - i < 64 && isLocal(text[i - 1])) i--;
  while (text[i] === '.') i++; // a local part neither starts nor ends with a dot
  if (i >= at || text[at - 1] === '.' || text.slice(i, at).includes('..')) return -1;
  return i;
}

function domainEnd(text: string, at: number): number {
  if (text[at + 1] === '[') {
    const close = text.indexOf(']', at + 2);
    return close !== -1 && close - at < 48 && /^\[(?:IPv6:)?[0-9A-Fa-f:.]+\]$/.test(text.slice(at + 1, close + 1)) ? close + 1 : -1;
  }
  let j = at + 1;
  while (j < text.length && j - at < 256 && isDomain(text[j])) j++;
  while (text[j - 1] === '.' || text[j - 1] === '-') j--;
  const labels = text.slice(at + 1, j).split('.');
  if (labels.length < 2) return -1;
  for (const label of labels) if (label === '' || label.length > 63 || label[0] === '-' || label[label.length - 1] === '-') return -1;
  const tld = labels[labels.length - 1]!;
  const tldOk = tld.startsWith('xn--') || (tld.length >= 2 && [...tld].every((ch) => !isDigitOrDash(ch)));
  return tldOk && !FILE_EXTENSIONS.has(tld.toLowerCase()) ? j : -1;
}
const isDigitOrDash = (ch: string) => ch === '-' || (ch >= '0' && ch <= '9');

/** Each address in `text` as [start, end), in order. */
export function findEmails(text: string): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  let last = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at < last) continue;
    const start = localStart(text, at);
    if (start === -1 || start < last) continue;
    const end = domainEnd(text, at);
    if (end === -1) continue;
    found.push([start, end]);
    last = end;
  }
  return found;
}
