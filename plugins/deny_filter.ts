import { TEXT_FIELDS } from './lib/hooks.js';
import type { DenyFilterConfig, HookResult, Payload } from './schemas.js';

/**
 * Blocks a request whose names or text contain a denied word, matched as a whole word (letters, digits and `_`
 * on either side do not count as a match) and case-insensitively unless configured.
 */

const NAME_FIELDS: Record<string, string> = {
  tool_pre_invoke: 'name',
  tool_post_invoke: 'name',
  prompt_pre_fetch: 'prompt_id',
  prompt_post_fetch: 'prompt_id',
  resource_pre_fetch: 'uri',
  resource_post_fetch: 'uri',
  agent_pre_invoke: 'agent_id',
  agent_post_invoke: 'agent_id',
};

// Only syntax characters may be escaped under the `u` flag.
const escape = (word: string) => word.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

interface Hit {
  word: string;
  location: string;
}

/** The first string under `value` that `test` accepts, depth first, with its path. */
function firstHit(value: unknown, location: string, test: (text: string) => string | null): Hit | null {
  if (typeof value === 'string') {
    const word = test(value);
    return word === null ? null : { word, location };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = firstHit(value[i], `${location}[${i}]`, test);
      if (hit) return hit;
    }
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const hit = firstHit(item, `${location}.${key}`, test);
    if (hit) return hit;
  }
  return null;
}

export default (config: DenyFilterConfig) => {
  // Longest first, so "drop table" wins over "drop" when both are listed.
  const words = [...config.words].sort((a, b) => b.length - a.length).map(escape).join('|');
  const source = config.match === 'substring' ? `(?:${words})` : `(?<![\\p{L}\\p{N}_])(?:${words})(?![\\p{L}\\p{N}_])`;
  const pattern = new RegExp(source, config.case_sensitive ? 'u' : 'iu');
  const test = (text: string) => pattern.exec(text)?.[0] ?? null;

  const check = (hook: string) => (payload: Payload): HookResult | undefined => {
    const nameField = NAME_FIELDS[hook]!;
    const hit =
      (config.check_names ? firstHit(payload[nameField], nameField, test) : null) ??
      (TEXT_FIELDS[hook] ?? []).reduce<Hit | null>((found, field) => found ?? firstHit(payload[field], field, test), null);
    if (!hit) return undefined;
    const details = { word: hit.word, location: hit.location };
    return {
      continue_processing: false,
      violation: config.violations === 'contextforge'
        ? { reason: 'Prompt not allowed', description: 'A deny word was found in the prompt', code: 'deny', details }
        : { reason: 'Denied word', description: `"${hit.word}" is on the deny list (found in ${hit.location})`, code: 'DENY_LIST', details },
    };
  };

  return {
    tool_pre_invoke: check('tool_pre_invoke'),
    tool_post_invoke: check('tool_post_invoke'),
    prompt_pre_fetch: check('prompt_pre_fetch'),
    prompt_post_fetch: check('prompt_post_fetch'),
    resource_pre_fetch: check('resource_pre_fetch'),
    resource_post_fetch: check('resource_post_fetch'),
    agent_pre_invoke: check('agent_pre_invoke'),
    agent_post_invoke: check('agent_post_invoke'),
  };
};
