/**
 * ContextForge's secrets detection (cpex secrets-detection 0.2.0), for configs written for it: its pattern table,
 * each pattern run over the whole text, every match counted (two patterns matching one span count twice), and each
 * enabled pattern's matches replaced whole, label included where the pattern has one (`AWS_SECRET_ACCESS_KEY=...`
 * becomes the redaction text alone). No allowlist, no checksum: AWS's documented example key is a key here.
 *
 * The patterns are Rust regexes there, whose `\b`, `\s` and case folding are Unicode's; they are written here so
 * JavaScript reads them the same way (flag u, the word boundary spelled out). Two deliberate differences, for
 * safety: its private_key_block pattern matches the BEGIN line only, so redaction left the key itself in the text;
 * here it runs to the END line (or the text's end), and PKCS#8 keys (`BEGIN PRIVATE KEY`, `BEGIN ENCRYPTED PRIVATE
 * KEY`) count too. And the redaction text is written as given, where Rust's replace reads `$1` or `${name}` in it as
 * a group (`$1` would put an AWS secret key back).
 */

export const CONTEXTFORGE_SECRET_TYPES = [
  'aws_access_key_id', 'aws_secret_access_key', 'google_api_key', 'github_token', 'stripe_secret_key',
  'generic_api_key_assignment', 'slack_token', 'private_key_block', 'jwt_like', 'hex_secret_32', 'base64_24',
] as const;
export type ContextForgeSecretType = (typeof CONTEXTFORGE_SECRET_TYPES)[number];

/** A word character as Rust's regex crate defines it (Unicode), and its `\b` from that. */
const W = String.raw`[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]`;
const B = String.raw`(?:(?<=${W})(?!${W})|(?<!${W})(?=${W}))`;
/** Rust's `\s` (Unicode White_Space: JavaScript's own `\s` adds U+FEFF and lacks U+0085) */
const S = String.raw`\p{White_Space}`;
/** Rust's `.`: anything but a line feed */
const DOT = String.raw`[^\n]`;
const KEY_TYPES = '(?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED) )?';

const SOURCES: Record<ContextForgeSecretType, [source: string, caseless?: true]> = {
  aws_access_key_id: [String.raw`${B}AKIA[0-9A-Z]{16}${B}`],
  aws_secret_access_key: [String.raw`aws${DOT}{0,20}(?:secret|access)${DOT}{0,20}=${S}*([A-Za-z0-9/+=]{40})`, true],
  google_api_key: [String.raw`${B}AIza[0-9A-Za-z\-_]{35}${B}`],
  github_token: [String.raw`${B}(?:gh[opusr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{20,})${B}`],
  stripe_secret_key: [String.raw`${B}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}${B}`],
  generic_api_key_assignment: [
    String.raw`${B}(?:(?:x[-_])?api[-_]?key|apikey|api[_-]?token|access[_-]?token|bearer[_-]?token|auth[_-]?token)${B}${S}*[:=]${S}*['"]?[A-Za-z0-9_\-]{20,}['"]?`,
    true,
  ],
  slack_token: [String.raw`${B}xox[abpqr]-[0-9A-Za-z\-]{10,48}${B}`],
  private_key_block: [String.raw`-----BEGIN ${KEY_TYPES}PRIVATE KEY-----(?:[\s\S]*?-----END ${KEY_TYPES}PRIVATE KEY-----|[\s\S]*$)`],
  jwt_like: [String.raw`${B}eyJ[a-zA-Z0-9_\-]{10,}\.eyJ[a-zA-Z0-9_\-]{10,}\.[a-zA-Z0-9_\-]{10,}${B}`],
  hex_secret_32: [String.raw`${B}[a-f0-9]{32,}${B}`, true],
  base64_24: [String.raw`${B}[A-Za-z0-9+/]{24,}={0,2}${B}`],
};

/** Compiled once; its order is the order types are reported in within one string (ContextForge's is a hash map's). */
const PATTERNS = CONTEXTFORGE_SECRET_TYPES.map((type) => {
  const [source, caseless] = SOURCES[type];
  return { type, pattern: new RegExp(source, caseless ? 'giu' : 'gu') };
});

export interface ContextForgeScan {
  /** one entry per match, in pattern order */
  types: ContextForgeSecretType[];
  /** the text with every match replaced by the redaction text, taken as written */
  text: string;
}

/**
 * Every match of a global pattern, by `exec` in a loop: the sandbox freezes RegExp.prototype, which keeps `exec`
 * fast where it slows `replace` and `matchAll` (README, "CPU-heavy under sandbox"). None of the patterns matches empty.
 */
function spans(pattern: RegExp, text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) out.push([m.index, m.index + m[0].length]);
  return out;
}

function replaceSpans(text: string, found: Array<[number, number]>, replacement: string): string {
  let out = '';
  let at = 0;
  for (const [start, end] of found) {
    out += text.slice(at, start) + replacement;
    at = end;
  }
  return out + text.slice(at);
}

/** Scans one string with the enabled patterns: matches are counted on the text as given, replaced one pattern after another. */
export function scanContextForge(text: string, enabled: Readonly<Record<ContextForgeSecretType, boolean>>, replacement: string): ContextForgeScan {
  const types: ContextForgeSecretType[] = [];
  let redacted = text;
  for (const { type, pattern } of PATTERNS) {
    if (!enabled[type]) continue;
    const found = spans(pattern, text);
    if (found.length === 0) continue;
    for (const _ of found) types.push(type);
    // as there, each pattern replaces its matches in the text the patterns before it left, the redaction text as written
    redacted = replaceSpans(redacted, redacted === text ? found : spans(pattern, redacted), replacement);
  }
  return { types, text: redacted };
}
