import { z } from 'zod';

/** Data that crosses a boundary keeps ContextForge's snake_case names. Unknown extra keys are kept. */
export const JsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObject>;

export const GlobalContextSchema = z.looseObject({
  request_id: z.string(),
  user: z.union([z.string(), JsonObject]).nullish(),
  tenant_id: z.string().nullish(),
  server_id: z.string().nullish(),
  /** the request's MIME type; `content_types` conditions match it normalized (conditions.ts) */
  content_type: z.string().nullish(),
  state: JsonObject.default({}),
  metadata: JsonObject.default({}),
});
export type GlobalContext = z.infer<typeof GlobalContextSchema>;
export type GlobalContextInput = z.input<typeof GlobalContextSchema>;

/** What one plugin keeps for one request, from a pre hook to the matching post hook. */
export const LocalContextSchema = z.object({ state: JsonObject.default({}), metadata: JsonObject.default({}) });
export type LocalContext = z.infer<typeof LocalContextSchema>;

/** The second argument of a hook function. */
export type PluginContext = LocalContext & { global_context: GlobalContext };

/** The context table handed back to the caller, keyed by request id + plugin id. */
export type PluginContextTable = Record<string, PluginContext>;

export const ViolationSchema = z.looseObject({
  reason: z.string(),
  description: z.string(),
  code: z.string(),
  details: JsonObject.nullish(),
  mcp_error_code: z.number().int().nullish(),
  plugin_name: z.string().optional(),
});
export type PluginViolation = z.infer<typeof ViolationSchema>;

/**
 * HTTP headers a plugin asks the gateway to send with a successful response (ContextForge's `PluginResult.http_headers`,
 * e.g. a rate limiter's `X-RateLimit-*`): header names as HTTP writes them, values without line breaks, so a gateway
 * copying them can never split a response; at most 64, each bounded.
 */
export const HttpHeadersSchema = z
  .record(
    z.string().max(256).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name'),
    z.string().max(8192).regex(/^[^\r\n\0]*$/, 'must not hold CR, LF or NUL'),
  )
  .refine((headers) => Object.keys(headers).length <= 64, 'at most 64 headers');
export type HttpHeaders = z.infer<typeof HttpHeadersSchema>;

/** A hook function's return value as a plugin sends it; `undefined` means "continue, no change". */
export const RawPluginResultSchema = z
  .looseObject({
    continue_processing: z.boolean().default(true),
    modified_payload: z.unknown().nullable().default(null),
    violation: ViolationSchema.nullable().default(null),
    metadata: JsonObject.nullable().default({}),
    http_headers: HttpHeadersSchema.nullish(),
  })
  .optional()
  .nullable();

/** A plugin's result once normalized (defaults filled), as callers of invokeHookForPlugin get it. */
const PluginResultSchema = z.object({
  continue_processing: z.boolean(),
  modified_payload: z.unknown(),
  violation: ViolationSchema.nullable(),
  metadata: JsonObject,
  /** present only when the plugin returned headers: `invokeHookForPlugin` hands them back, `invokeHook` does not merge them */
  http_headers: HttpHeadersSchema.optional(),
});
/** `P` is what `modified_payload` holds: typed by hook through PluginManager.invokeHook (hook-types.ts). */
export type PluginResult<P = unknown> = Omit<z.infer<typeof PluginResultSchema>, 'modified_payload'> & { modified_payload: P | null };

export function normalizeResult(raw: z.infer<typeof RawPluginResultSchema>): PluginResult {
  return {
    continue_processing: raw?.continue_processing ?? true,
    modified_payload: raw?.modified_payload ?? null,
    violation: raw?.violation ?? null,
    metadata: raw?.metadata ?? {},
    ...(raw?.http_headers ? { http_headers: raw.http_headers } : {}),
  };
}
