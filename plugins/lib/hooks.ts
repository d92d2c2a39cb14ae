import type { Payload } from '../schemas.js';

/** The payload fields that hold text, per hook, for the plugins that scan text (the README's table). */
const FIELDS_BY_HOOK = {
  tool_pre_invoke: ['args'],
  tool_post_invoke: ['result'],
  prompt_pre_fetch: ['args'],
  prompt_post_fetch: ['result'],
  resource_post_fetch: ['content'],
  agent_pre_invoke: ['messages', 'system_prompt'],
  agent_post_invoke: ['messages', 'tool_calls'],
} as const;

export type TextHook = keyof typeof FIELDS_BY_HOOK;
export const TEXT_FIELDS: Readonly<Record<string, readonly string[]>> = FIELDS_BY_HOOK;

/** One hook per entry of TEXT_FIELDS, each made by `make` from that hook's fields. */
export function textHooks<H>(make: (fields: readonly string[], hook: TextHook) => H): Record<TextHook, H> {
  const hooks = {} as Record<TextHook, H>;
  for (const hook of Object.keys(FIELDS_BY_HOOK) as TextHook[]) hooks[hook] = make(FIELDS_BY_HOOK[hook], hook);
  return hooks;
}

/** A copy of `payload` whose `fields` (those present) went through `rewrite`. */
export function rewriteFields(payload: Payload, fields: readonly string[], rewrite: (value: unknown) => unknown): Payload {
  const modified: Payload = { ...payload };
  for (const field of fields) if (field in payload) modified[field] = rewrite(payload[field]);
  return modified;
}
