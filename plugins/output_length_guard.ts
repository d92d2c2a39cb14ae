import { isBinaryField, mapStrings, STRUCTURAL_KEYS } from './lib/strings.js';
import type { HookResult, OutputLengthGuardConfig, Payload } from './schemas.js';

/**
 * Keeps each text string of tool and prompt results within bounds, counted in characters or in estimated tokens
 * (characters / chars_per_token, ContextForge's estimate): a string over the maximum is truncated (ending in the
 * ellipsis) or the result blocked; a string under the minimum is only blocked, never padded. Each string counts on
 * its own, so an MCP result's `content[i].text` items are limited one by one.
 */

/** Where a word-boundary cut may fall: just after one of these. */
const BOUNDARY = new Set([' ', '\t', '\n', '\r', '.', ',', ';', ':', '!', '?', '-', '\u2014', '\u2013', '/', '\\', '(', ')', '[', ']', '{', '}']);

/** The cut moved back to just after the last boundary in the final fifth of `span`, or left where it is. */
function wordBoundary(text: ArrayLike<string>, cut: number, span: number): number {
  for (let i = cut - 1; i >= Math.max(0, cut - Math.floor(span * 0.2)); i--) if (BOUNDARY.has(text[i]!)) return i + 1;
  return cut;
}

/**
 * Characters are counted as code points, as Python's len() counts them (ContextForge's measure): an emoji is one
 * character, not the two UTF-16 units JavaScript's length sees, and a cut never splits one.
 */
function characters(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return text.length - pairs;
}

/** "123", "-1.5e-9", "1_000": what Python's float() reads as a finite number, up to 50 characters. */
const NUMERIC = /^\s*[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?\s*$/;
const numeric = (text: string) => text.length <= 50 && NUMERIC.test(text) && Number.isFinite(Number(text.replace(/_/g, '')));

interface Offence { kind: 'over' | 'under'; length: number; tokens: number }
type Violation = NonNullable<HookResult['violation']>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where an MCP result keeps its structured content, as ContextForge looks for it: a non-null one, camelCase first. */
function structuredKey(result: Record<string, unknown>): string | null {
  for (const key of ['structuredContent', 'structured_content']) if (result[key] !== undefined && result[key] !== null) return key;
  return null;
}

/**
 * ContextForge's text for a truncated structure: a one-key object by its value (up to 10 levels down), a string as it
 * is, a list or object as compact JSON, anything else as Python writes it.
 */
function asText(data: unknown, depth = 0): string {
  if (typeof data === 'string') return data;
  if (isRecord(data)) {
    const keys = Object.keys(data);
    if (keys.length === 1 && depth < 10) return asText(data[keys[0]!], depth + 1);
  }
  if (Array.isArray(data) || isRecord(data)) return JSON.stringify(data);
  return data === null ? 'None' : data === true ? 'True' : data === false ? 'False' : String(data);
}

export default (config: OutputLengthGuardConfig) => {
  const tokens = config.limit_mode === 'token';
  const max = tokens ? config.max_tokens : config.max_chars;
  const min = tokens ? config.min_tokens : config.min_chars;
  const unit = tokens ? 'tokens' : 'characters';
  /** What the limits are compared with, for a string of `length` characters. */
  const measure = (length: number) => (tokens ? Math.floor(length / config.chars_per_token) : length);

  /** Characters over the maximum cut away: in token mode the ellipsis follows the budget, in character mode it fits in it. */
  function truncate(text: string, length: number): string {
    // only a text holding surrogate pairs needs indexing by code point
    const chars = length === text.length ? text : Array.from(text);
    let cut = tokens ? Math.min(length, max! * config.chars_per_token) : max! - characters(config.ellipsis);
    if (config.word_boundary && cut > 0) cut = wordBoundary(chars, cut, tokens ? cut : max!);
    return (typeof chars === 'string' ? chars.slice(0, cut) : chars.slice(0, cut).join('')) + config.ellipsis;
  }

  function violation(field: string, first: Offence, over: number, under: number, metadata: Record<string, unknown>): NonNullable<HookResult['violation']> {
    if (config.violations === 'contextforge') {
      const common = { http_status_code: 422, mcp_error_code: -32000 };
      if (first.kind === 'under') {
        return {
          reason: 'Output length below minimum',
          description: `Result length ${first.length} (tokens ${first.tokens}) below minimum`,
          code: 'OUTPUT_LENGTH_VIOLATION',
          details: { length: first.length, min_chars: config.min_chars, token_count: first.tokens, min_tokens: config.min_tokens, strategy: config.strategy },
          ...common,
        };
      }
      return tokens
        ? {
          reason: 'Output estimated token count out of bounds',
          description: `Estimated token count ${first.tokens} exceeds max_tokens ${max}`,
          code: 'OUTPUT_TOKEN_VIOLATION',
          details: { token_count: first.tokens, max_tokens: max, chars_per_token: config.chars_per_token, strategy: config.strategy },
          ...common,
        }
        : {
          reason: 'Output length out of bounds',
          description: `Result length ${first.length} exceeds max_chars ${max}`,
          code: 'OUTPUT_LENGTH_VIOLATION',
          details: { length: first.length, max_chars: max, strategy: config.strategy },
          ...common,
        };
    }
    return over > 0
      ? { reason: 'Output too long', description: `${field} holds ${over} string(s) longer than ${max} ${unit} (longest ${metadata.longest_string}${tokens ? ' characters' : ''})`, code: 'OUTPUT_TOO_LONG', details: metadata }
      : { reason: 'Output too short', description: `${field} holds ${under} string(s) shorter than ${min} ${unit}`, code: 'OUTPUT_TOO_SHORT', details: metadata };
  }

  /** How a string is out of bounds, if it is (numbers written as strings never are, with skip_numeric). */
  function offence(text: string): Offence | null {
    if (config.skip_numeric && numeric(text)) return null;
    // a string holds at most text.length characters and at least half as many: most are judged without counting
    if ((max === null || measure(text.length) <= max) && (min === 0 || measure(Math.ceil(text.length / 2)) >= min)) return null;
    const length = characters(text);
    const estimate = Math.floor(length / config.chars_per_token);
    if (max !== null && measure(length) > max) return { kind: 'over', length, tokens: estimate };
    if (min > 0 && measure(length) < min) return { kind: 'under', length, tokens: estimate };
    return null;
  }

  /**
   * ContextForge's handling of an MCP result with structured content: only the strings inside it are limited, the
   * first one out of bounds blocks (named by its path), and a truncated structure replaces `content` with its text.
   */
  function structured(payload: Payload, result: Record<string, unknown>, key: string): HookResult {
    const limits = { min_tokens: config.min_tokens, max_tokens: config.max_tokens, chars_per_token: config.chars_per_token };
    if (config.strategy === 'block') {
      const violation = firstViolation(result[key], '');
      if (violation === null) return { metadata: { mcp_result_processed: true, items_modified: false, structured_content_processed: false } };
      return {
        continue_processing: false,
        violation,
        metadata: { structured_content_blocked: true, location: key, ...limits },
      };
    }
    let modified = false;
    const limited = mapStrings(result[key], (text) => {
      const found = offence(text);
      if (found?.kind !== 'over') return text;
      modified = true;
      return truncate(text, found.length);
    }, null, STRUCTURAL_KEYS, true);
    if (!modified) return { metadata: { mcp_result_processed: true, items_modified: false, structured_content_processed: false } };
    return {
      modified_payload: { ...payload, result: { ...result, [key]: limited, content: [{ type: 'text', text: asText(limited) }] } },
      metadata: { mcp_result_processed: true, items_modified: true, structured_content_processed: true, ...limits },
    };
  }

  /**
   * What blocks a structure, depth first in order, with ContextForge's path to it (`items[0].name`): a string out of
   * bounds, or (with ContextForge's security limits) a list or object of too many items, or anything nested too deep.
   */
  function firstViolation(value: unknown, path: string, depth = 0): Violation | null {
    const location = path || 'root';
    if (config.max_recursion_depth !== null && depth > config.max_recursion_depth) {
      return securityViolation('Recursion depth exceeds security limit', `Nesting depth ${depth} exceeds limit of ${config.max_recursion_depth}`,
        'STRUCTURE_DEPTH_VIOLATION', { depth, max_depth: config.max_recursion_depth, location });
    }
    if (typeof value === 'string') {
      const found = offence(value);
      return found ? structuredViolation(found, path) : null;
    }
    // [path, item, binary]: an image's or a blob's base64 is not text to limit, but counts as an item
    const entries: Array<[string, unknown, boolean]> = Array.isArray(value)
      ? value.map((item, i) => [`${path}[${i}]`, item, false])
      : isRecord(value) ? Object.entries(value).map(([k, item]) => [path ? `${path}.${k}` : k, item, isBinaryField(value, k)]) : [];
    if (config.max_structure_size !== null && entries.length > config.max_structure_size) {
      return securityViolation('Structure size exceeds security limit',
        `${Array.isArray(value) ? 'List' : 'Dict'} has ${entries.length} items, exceeding limit of ${config.max_structure_size}`,
        'STRUCTURE_SIZE_VIOLATION', { size: entries.length, max_size: config.max_structure_size, location });
    }
    for (const [at, item, binary] of entries) {
      if (binary) continue;
      const found = firstViolation(item, at, depth + 1);
      if (found) return found;
    }
    return null;
  }

  const securityViolation = (reason: string, description: string, code: string, details: Record<string, unknown>): Violation =>
    ({ reason, description, code, details, http_status_code: 422, mcp_error_code: -32000 });

  function structuredViolation(first: Offence, path: string): Violation {
    const at = path ? ` at ${path}` : '';
    const location = path || 'root';
    const common = { http_status_code: 422, mcp_error_code: -32000 };
    if (first.kind === 'under') {
      return {
        reason: `String length/tokens below minimum${at}`,
        description: `String length ${first.length} or tokens ${first.tokens} below minimum${at}`,
        code: 'OUTPUT_LENGTH_VIOLATION',
        details: { length: first.length, min_chars: config.min_chars, token_count: first.tokens, min_tokens: config.min_tokens, location },
        ...common,
      };
    }
    return tokens
      ? {
        reason: `Estimated token count out of bounds${at}`,
        description: `Estimated token count ${first.tokens} exceeds max_tokens ${max}${at}`,
        code: 'OUTPUT_TOKEN_VIOLATION',
        details: { token_count: first.tokens, max_tokens: max, chars_per_token: config.chars_per_token, strategy: config.strategy, location },
        ...common,
      }
      : {
        reason: `String length out of bounds${at}`,
        description: `String length ${first.length} exceeds max_chars ${max}${at}`,
        code: 'OUTPUT_LENGTH_VIOLATION',
        details: { length: first.length, max_chars: max, strategy: config.strategy, location },
        ...common,
      };
  }

  const guard = (field: string) => (payload: Payload): HookResult | undefined => {
    const result = payload[field];
    if (config.structured_content && field === 'result' && isRecord(result) && Array.isArray(result.content)) {
      const key = structuredKey(result);
      if (key !== null) return structured(payload, result, key);
    }
    let over = 0;
    let under = 0;
    let longest = 0;
    let first: Offence | undefined;
    const limit = (text: string) => {
      const found = offence(text);
      if (found?.kind === 'over') {
        over++;
        longest = Math.max(longest, found.length);
        first ??= found;
        return truncate(text, found.length);
      }
      if (found) {
        under++;
        first ??= found;
      }
      return text;
    };
    // an image's or a blob's base64 is not text to limit: cut, it would be no image at all
    const limited = mapStrings(payload[field], limit, null, STRUCTURAL_KEYS, true);
    if (!first) return undefined;
    const limits = tokens ? { max_tokens: max, chars_per_token: config.chars_per_token } : { max_chars: max };
    const metadata = {
      ...(over > 0 ? { strings_over_limit: over, longest_string: longest, ...limits } : {}),
      ...(under > 0 ? { strings_under_min: under, [tokens ? 'min_tokens' : 'min_chars']: min } : {}),
    };
    if (config.strategy === 'block') {
      return { continue_processing: false, violation: violation(field, first, over, under, metadata), metadata };
    }
    // a short string is let through in truncate mode, only noted
    return over > 0 ? { modified_payload: { ...payload, [field]: limited }, metadata } : { metadata };
  };

  return {
    tool_post_invoke: guard('result'),
    prompt_post_fetch: guard('result'),
  };
};
