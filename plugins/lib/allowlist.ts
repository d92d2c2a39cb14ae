/**
 * Values that stand where a secret would but are not one: documented placeholders, references to where the real
 * value lives, and identifiers with a shape of their own (UUIDs, git SHAs and hashes, version strings). Provider
 * detectors apply the placeholder test; the label-based ones (password = ..., Authorization: ...) apply all of them.
 */

// AWS's documented example credentials, and words that documentation and templates put in place of a value.
const PLACEHOLDER_WORDS = /example|placeholder|changeme|change_me|redacted|dummy|your[_-]|xxxx|\*\*\*|\.\.\.|…|<[^>]*>|\{\{|\$\{|%\(|%s\b/i;
const REFERENCE = /^(?:\$[A-Za-z_{(]|process\.env|os\.environ|env\(|ENV\[|getenv|secrets\.|vault:|ref\+|arn:aws:secretsmanager)/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** hex digests: git SHA-1 (abbreviated 7-12, full 40), MD5 32, SHA-256 64, SHA-512 128 */
const HEX_DIGEST = /^(?:[0-9a-f]{7,12}|[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128}|[0-9A-F]{32}|[0-9A-F]{40}|[0-9A-F]{64})$/;
const DIGEST_PREFIX = /^(?:sha(?:1|256|384|512)[-:]|md5:|sha256-)/i;
const VERSION = /^v?\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z.-]+)?$/;
/** words and identifiers written in prose or config: lower-case words, snake_case, kebab-case, camelCase */
const WORDS = /^(?:[a-z]+(?:[_\-. ][a-z]+)*|[a-z]+(?:[A-Z][a-z]+)+|[A-Z][a-z]+(?:[ _][A-Za-z][a-z]+)*|[A-Z]+(?:_[A-Z]+)*)$/;
const LITERALS = new Set(['true', 'false', 'null', 'none', 'nil', 'undefined', 'required', 'optional', 'string', 'secret', 'password', 'token']);
const REPEATED = /^(.)\1+$/;
/** a sentence (three or more spaces): prose about a credential, not one (multi-word passphrases are missed) */
const PROSE = /\S \S+ \S+ \S/;

/** A documented placeholder or a template: `<YOUR_API_KEY>`, `sk-...`, `AKIAIOSFODNN7EXAMPLE`, `${TOKEN}`, `xxxx`. */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER_WORDS.test(value) || REFERENCE.test(value) || REPEATED.test(value);
}

/** A value an Authorization header or a URL carries that is a word or a placeholder, not a credential. */
export function isPlainWord(value: string): boolean {
  return isPlaceholder(value) || LITERALS.has(value.toLowerCase()) || WORDS.test(value);
}

/** Whether a value found only by its label (a key such as `password` or `api_key`) is something else after all. */
export function isBenignValue(value: string): boolean {
  return isPlaceholder(value) || LITERALS.has(value.toLowerCase()) || UUID.test(value) || HEX_DIGEST.test(value) ||
    DIGEST_PREFIX.test(value) || VERSION.test(value) || WORDS.test(value) || PROSE.test(value) || /^\d+$/.test(value) ||
    value.startsWith('{') || value.startsWith('[') || value.startsWith('/') || value.startsWith('./') || value.startsWith('http://') || value.startsWith('https://');
}
