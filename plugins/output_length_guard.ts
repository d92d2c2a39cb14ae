import { mapStrings } from './lib/strings.js';
import type { HookResult, OutputLengthGuardConfig, Payload } from './schemas.js';

/**
 * Keeps tool and prompt results within `max_chars` per text string: longer strings are truncated (ending in the
 * ellipsis) or the result is blocked. Each string counts on its own, so an MCP result's `content[i].text` items are
 * limited one by one.
 */


/** Cuts at `length` UTF-16 units without splitting a surrogate pair. */
function cut(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

export default (config: OutputLengthGuardConfig) => {
  const guard = (field: string) => (payload: Payload): HookResult | undefined => {
    let over = 0;
    let longest = 0;
    const limit = (text: string) => {
      if (text.length <= config.max_chars) return text;
      over++;
      longest = Math.max(longest, text.length);
      return cut(text, config.max_chars - config.ellipsis.length) + config.ellipsis;
    };
    const limited = mapStrings(payload[field], limit);
    if (over === 0) return undefined;
    const metadata = { strings_over_limit: over, longest_string: longest, max_chars: config.max_chars };
    if (config.strategy === 'truncate') return { modified_payload: { ...payload, [field]: limited }, metadata };
    return {
      continue_processing: false,
      violation: {
        reason: config.violations === 'contextforge' ? 'Output length out of bounds' : 'Output too long',
        description: `${field} holds ${over} string(s) longer than ${config.max_chars} characters (longest ${longest})`,
        code: config.violations === 'contextforge' ? 'OUTPUT_LENGTH_VIOLATION' : 'OUTPUT_TOO_LONG',
        details: metadata,
      },
      metadata,
    };
  };

  return {
    tool_post_invoke: guard('result'),
    prompt_post_fetch: guard('result'),
  };
};
