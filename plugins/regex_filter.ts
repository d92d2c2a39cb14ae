import { rewriteFields, textHooks } from './lib/hooks.js';
import { mapStrings } from './lib/strings.js';
import type { HookResult, Payload, RegexFilterConfig } from './schemas.js';

/**
 * Search and replace with regular expressions over every string of a payload's text fields, rule after rule, each
 * rule replacing all its matches (`$1`, `$<name>` and `$&` work in the replacement).
 */


export default (config: RegexFilterConfig) => {
  const rules = config.rules.map((r) => ({ pattern: new RegExp(r.search, `g${r.flags}`), replace: r.replace }));

  const on = (fields: readonly string[]) => (payload: Payload): HookResult | undefined => {
    let replacements = 0;
    const rewrite = (text: string) =>
      rules.reduce((current, { pattern, replace }) => {
        const matches = [...current.matchAll(pattern)].length;
        if (matches === 0) return current;
        replacements += matches;
        return current.replace(pattern, replace);
      }, text);
    const modified = rewriteFields(payload, fields, (value) => mapStrings(value, rewrite));
    if (replacements === 0) return undefined;
    return { modified_payload: modified, metadata: { regex_replacements: replacements } };
  };

  return textHooks(on);
};
