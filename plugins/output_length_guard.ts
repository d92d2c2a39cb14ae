import { mapStrings } from './lib/strings.js';
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
function wordBoundary(text: string, cut: number, span: number): number {
  for (let i = cut - 1; i >= Math.max(0, cut - Math.floor(span * 0.2)); i--) if (BOUNDARY.has(text[i]!)) return i + 1;
  return cut;
}

/** `text` up to `length` UTF-16 units, never splitting a surrogate pair. */
function head(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

/** "123", "-1.5e-9", "1_000": what Python's float() reads as a finite number, up to 50 characters. */
const NUMERIC = /^\s*[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?\s*$/;
const numeric = (text: string) => text.length <= 50 && NUMERIC.test(text) && Number.isFinite(Number(text.replace(/_/g, '')));

interface Offence { kind: 'over' | 'under'; length: number; tokens: number }

export default (config: OutputLengthGuardConfig) => {
  const tokens = config.limit_mode === 'token';
  const max = tokens ? config.max_tokens : config.max_chars;
  const min = tokens ? config.min_tokens : config.min_chars;
  const unit = tokens ? 'tokens' : 'characters';

  /** Characters over the maximum cut away: in token mode the ellipsis follows the budget, in character mode it fits in it. */
  function truncate(text: string): string {
    let cut = tokens ? Math.min(text.length, max! * config.chars_per_token) : max! - config.ellipsis.length;
    if (config.word_boundary && cut > 0) cut = wordBoundary(text, cut, tokens ? cut : max!);
    return head(text, cut) + config.ellipsis;
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

  const guard = (field: string) => (payload: Payload): HookResult | undefined => {
    let over = 0;
    let under = 0;
    let longest = 0;
    let first: Offence | undefined;
    const limit = (text: string) => {
      if (config.skip_numeric && numeric(text)) return text;
      const estimate = Math.floor(text.length / config.chars_per_token);
      const measure = tokens ? estimate : text.length;
      if (max !== null && measure > max) {
        over++;
        longest = Math.max(longest, text.length);
        first ??= { kind: 'over', length: text.length, tokens: estimate };
        return truncate(text);
      }
      if (min > 0 && measure < min) {
        under++;
        first ??= { kind: 'under', length: text.length, tokens: estimate };
      }
      return text;
    };
    const limited = mapStrings(payload[field], limit);
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
