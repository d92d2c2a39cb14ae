import type { z } from 'zod';
import type { HookTable } from './hooks.js';
import type { JsonObject } from './schemas.js';

/**
 * Static types of the built-in hooks, derived from the zod schemas of hooks.ts so there is one source for both:
 * what a caller passes (`HookPayloadInput`), what plugins and results see (`HookPayload`), and what a plugin of a
 * hook whose result is not its payload returns (`HookResultPayload`, e.g. http_auth_check_permission's decision).
 * Any other name is a custom hook: a JSON object.
 */
export type BuiltInHook = keyof HookTable;

type Shape<H extends BuiltInHook> = HookTable[H][0];
type PayloadSchema<H extends BuiltInHook> = z.ZodObject<Shape<H>, z.core.$loose>;

/** The payload a hook's plugins receive, by hook name. */
export type HookPayloads = { [H in BuiltInHook]: z.output<PayloadSchema<H>> };
/** The payload a caller may pass, by hook name (optional fields may be left out). */
export type HookPayloadInputs = { [H in BuiltInHook]: z.input<PayloadSchema<H>> };
/** What `modified_payload` holds, by hook name: the payload, or the hook's own result type. */
export type HookResults = { [H in BuiltInHook]: HookTable[H] extends readonly [unknown, unknown, unknown, infer R extends z.ZodType] ? z.output<R> : HookPayloads[H] };

export type HookPayload<H extends string> = H extends BuiltInHook ? HookPayloads[H] : JsonObject;
/** A hook name only known at run time (a `string`) takes any payload: it is parsed with the hook's schema anyway. */
export type HookPayloadInput<H extends string> = string extends H ? unknown : H extends BuiltInHook ? HookPayloadInputs[H] : JsonObject;
export type HookResultPayload<H extends string> = H extends BuiltInHook ? HookResults[H] : JsonObject;
