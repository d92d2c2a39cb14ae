import { z } from 'zod';
import type { PluginContext, PluginViolation } from '../src/core/schemas.js';
import { compileUrlPattern } from './lib/url-patterns.js';
import { HtmlSanitizerSchema, type HtmlSanitizerConfig } from './lib/html-sanitizer-schema.js';
import { JsonSchemaSubsetSchema, type JsonSchemaSubset, type JsonType } from './lib/json-schema-subset.js';
import { rateLimiterSchema } from './lib/rate-limiter-schema.js';
import type { ContextForgeSecretType } from './lib/contextforge-secrets.js';
import { PiiFilterSchema } from './lib/pii-schema.js';
import { list, off, on, regexSource, Violations } from './lib/schema-parts.js';

/**
 * Config schemas of the bundled plugins. The host parses a bundled plugin's `config` with its schema at config load
 * and hands the parsed value (defaults filled) to the plugin, so a plugin file only imports types from here: its
 * compiled JS must stay free of imports to run in a sandbox compartment.
 */

export type { PluginContext, JsonSchemaSubset, JsonType, HtmlSanitizerConfig };
export { PII_TYPES, type PiiFilterConfig, type PiiStrategy, type PiiType } from './lib/pii-schema.js';
export type Payload = Record<string, unknown>;
export interface HookResult {
  continue_processing?: boolean;
  modified_payload?: Payload | null;
  violation?: Omit<PluginViolation, 'plugin_name'> | null;
  metadata?: Record<string, unknown>;
  /** headers for the gateway to send with a successful response (not merged by invokeHook) */
  http_headers?: Record<string, string>;
}

/** Subdomains are always covered, so a domain is written bare (example.com, not *.example.com). */
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a domain name like example.com (subdomains are included)');

const headerName = z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'must be an HTTP header name');

// ---- deny_filter
export const DenyFilterSchema = z.strictObject({
  words: z.array(z.string().trim().min(1)).min(1),
  case_sensitive: z.boolean().default(false),
  check_names: z.boolean().default(true),
  /** `word`: whole words only; `substring`: anywhere, as ContextForge's deny list matches */
  match: z.enum(['word', 'substring']).default('word'),
  violations: Violations,
});
export type DenyFilterConfig = z.infer<typeof DenyFilterSchema>;

// ---- regex_filter
const RegexRule = z
  .strictObject({
    search: z.string().min(1),
    replace: z.string().default(''),
    flags: z.string().regex(/^(?:([imsu])(?!.*\1))*$/, 'may only hold the flags i, m, s, u, each once').default(''),
  })
  .superRefine((rule, ctx) => {
    const check = regexSource(rule.flags).safeParse(rule.search);
    for (const issue of check.error?.issues ?? []) ctx.addIssue({ code: 'custom', path: ['search'], message: issue.message });
  });
export const RegexFilterSchema = z.strictObject({ rules: z.array(RegexRule).min(1) });
export type RegexFilterConfig = z.infer<typeof RegexFilterSchema>;

// ---- secrets_detection
export const SecretsDetectionSchema = z.strictObject({
  /** `report`: the call goes through unchanged, the findings' types in metadata */
  action: z.enum(['redact', 'block', 'report']).default('block'),
  /** with `action: block`, a call with fewer findings is not blocked but gets `below_min_findings` */
  min_findings_to_block: z.number().int().positive().default(1),
  below_min_findings: z.enum(['redact', 'report']).default('report'),
  /** names reports give types instead of Cordon's (`aws_access_key` -> ContextForge's `aws_access_key_id`) */
  type_names: z.record(z.string(), z.string().min(1)).default(() => ({})),
  detect: z
    .strictObject({
      aws_access_key: on, aws_secret_key: on, github_token: on, slack_token: on, google_api_key: on,
      private_key: on, jwt: on, generic_api_key: on,
      // provider families added with issue 14 (absent = on)
      aws_session_token: on, gcp_service_account: on, azure_storage_key: on, azure_client_secret: on, gitlab_token: on,
      slack_webhook: on, stripe_key: on, openai_key: on, anthropic_key: on, huggingface_token: on, npm_token: on,
      pypi_token: on, twilio_key: on, sendgrid_key: on, mailgun_key: on, shopify_token: on, datadog_key: on,
      discord_token: on, telegram_bot_token: on, url_credentials: on, authorization_header: on, password: on,
    })
    .prefault({}),
  /** `{type}` is replaced by the secret's type: [REDACTED:stripe_key] */
  redaction_text: z.string().default('[REDACTED:{type}]'),
  min_entropy: z.number().min(0).max(8).default(3.5),
  violations: Violations,
  /** ContextForge's pattern table instead of the detectors above (its class paths set it; lib/contextforge-secrets.ts) */
  contextforge_patterns: z.strictObject({
    aws_access_key_id: on, aws_secret_access_key: on, google_api_key: on, github_token: on, stripe_secret_key: on,
    slack_token: on, private_key_block: on, generic_api_key_assignment: off, jwt_like: off, hex_secret_32: off, base64_24: off,
  } satisfies Record<ContextForgeSecretType, unknown>).optional(),
  /** with `action: block`, the blocked result carries the payload redacted (ContextForge's redact: true) */
  redact_blocked: z.boolean().default(false),
});
export type SecretsDetectionConfig = z.infer<typeof SecretsDetectionSchema>;

// ---- output_length_guard
const nonNegative = z.number().int().nonnegative();
export const OutputLengthGuardSchema = z
  .strictObject({
    /** what the limits count: `character`s of each string, or `token`s estimated as characters / chars_per_token */
    limit_mode: z.enum(['character', 'token']).default('character'),
    /** null: no maximum in characters */
    max_chars: z.number().int().positive().nullable().default(10_000),
    /** 0: no minimum */
    min_chars: nonNegative.default(0),
    max_tokens: z.number().int().positive().nullable().default(null),
    min_tokens: nonNegative.default(0),
    chars_per_token: z.number().int().min(1).max(10).default(4),
    strategy: z.enum(['truncate', 'block']).default('truncate'),
    ellipsis: z.string().default('…'),
    /** truncate at the last space or punctuation in the final fifth of the kept text rather than mid-word */
    word_boundary: z.boolean().default(false),
    /** strings that read as a finite number (up to 50 characters: "12345", "1.5e-9") are never limited */
    skip_numeric: z.boolean().default(false),
    /** tool_post_invoke: an MCP result with a non-null `structuredContent` (or `structured_content`) is limited
     * there only, and a truncation rewrites `content` as one text item, as ContextForge's guard does */
    structured_content: z.boolean().default(false),
    /** with structured_content and the block strategy: a list or object in it of more items blocks (null: no limit) */
    max_structure_size: z.number().int().positive().nullable().default(null),
    /** with structured_content and the block strategy: anything nested deeper than this in it blocks (null: no limit) */
    max_recursion_depth: z.number().int().positive().nullable().default(null),
    violations: Violations,
  })
  .refine((c) => c.limit_mode !== 'character' || !((c.max_chars ?? 0) > 0) || [...c.ellipsis].length < c.max_chars!, {
    path: ['ellipsis'],
    message: 'must be shorter than max_chars',
  })
  // a maximum that is itself refused (a negative one) is reported alone
  .refine((c) => !((c.max_chars ?? 0) > 0) || c.min_chars <= c.max_chars!, { path: ['min_chars'], message: 'must not exceed max_chars' })
  .refine((c) => !((c.max_tokens ?? 0) > 0) || c.min_tokens <= c.max_tokens!, { path: ['min_tokens'], message: 'must not exceed max_tokens' });
export type OutputLengthGuardConfig = z.infer<typeof OutputLengthGuardSchema>;

// ---- resource_filter
export const ResourceFilterSchema = z.strictObject({
  allowed_schemes: z
    .array(z.string().toLowerCase().regex(/^[a-z][a-z0-9+.-]*$/, 'must be a URI scheme without ":"'))
    .min(1)
    .default(() => ['https', 'http', 'file']),
  allowed_domains: list(domain),
  blocked_paths: list(z.string().startsWith('/', 'must be an absolute path starting with /')),
  /** hosts refused, with their subdomains */
  blocked_domains: list(domain),
  max_content_bytes: z.number().int().positive().default(1_000_000),
  /** replacements in fetched text content, matched case-insensitively, in order */
  content_filters: list(z.strictObject({ pattern: regexSource('i'), replacement: z.string().default('***') })),
  violations: Violations,
});
export type ResourceFilterConfig = z.infer<typeof ResourceFilterSchema>;

// ---- url_reputation
/** A URL pattern, checked as the plugin compiles it (a leading `(?i)` read as the i flag) */
const urlPattern = z.string().min(1, { abort: true }).superRefine((source, ctx) => {
  try {
    if (compileUrlPattern(source, false).test('')) ctx.addIssue({ code: 'custom', message: 'pattern must not match the empty string' });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(err as Error).message}` });
  }
});
export const UrlReputationSchema = z.strictObject({
  blocked_domains: list(domain),
  blocked_patterns: list(urlPattern),
  allowed_domains: list(domain),
  /** URLs matching one of these always pass, as `allowed_domains` do */
  allowed_patterns: list(urlPattern),
  /** patterns match case as written (as ContextForge's do); a pattern starting `(?i)` ignores it either way */
  case_sensitive_patterns: z.boolean().default(false),
  /** blocks every URL whose scheme is not https */
  https_only: z.boolean().default(false),
  /** blocks a URL with no host or a malformed one, and a resource URI that is not such a URL */
  require_host: z.boolean().default(false),
  /** blocks a host that looks generated (entropy), has a TLD not in the root zone, or is not safe to read */
  heuristics: z.boolean().default(false),
  /** bits per character above which a host of 8 characters or more looks generated */
  entropy_threshold: z.number().min(0).default(3.65),
  violations: Violations,
});
export type UrlReputationConfig = z.infer<typeof UrlReputationSchema>;

// ---- header_injector
export const HeaderInjectorSchema = z
  .strictObject({
    headers: z
      .record(headerName, z.string().regex(/^[^\r\n\0]*$/, 'must not contain line breaks or NUL'))
      .refine((h) => Object.keys(h).length > 0, 'must name at least one header'),
    overwrite: z.boolean().default(true),
    protected_headers: z
      .array(headerName)
      .default(() => ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'host', 'content-length']),
    /** resource_pre_fetch only: the URIs headers are added for (all when empty) */
    uri_prefixes: list(z.string().min(1)),
  })
  .superRefine((c, ctx) => {
    const guarded = new Set(c.protected_headers.map((h) => h.toLowerCase()));
    for (const name of Object.keys(c.headers)) {
      if (guarded.has(name.toLowerCase())) {
        ctx.addIssue({ code: 'custom', path: ['headers', name], message: `${name} is protected; remove it from protected_headers to allow it` });
      }
    }
  });
export type HeaderInjectorConfig = z.infer<typeof HeaderInjectorSchema>;

// ---- schema_guard
export const SchemaGuardSchema = z.strictObject({
  arg_schemas: z.record(z.string(), JsonSchemaSubsetSchema).default(() => ({})),
  result_schemas: z.record(z.string(), JsonSchemaSubsetSchema).default(() => ({})),
  block_unknown_tools: z.boolean().default(false),
  /** null: every error (as ContextForge lists them); the list stays bounded by the payload and the schema */
  max_errors: z.number().int().positive().nullable().default(10),
  /** false: a call that fails its schema goes through, the errors in metadata (`schema_errors`) */
  block: z.boolean().default(true),
  violations: Violations,
});
export type SchemaGuardConfig = z.infer<typeof SchemaGuardSchema>;

// ---- html_sanitizer: plugins/lib/html-sanitizer-schema.ts

// ---- rate_limiter (its schema is in lib/rate-limiter-schema.ts)
export const RateLimiterSchema = rateLimiterSchema(Violations);
export type RateLimiterConfig = z.infer<typeof RateLimiterSchema>;

/** Bundled plugin name (its file name in plugins/) -> the schema its `config` is parsed with. */
export const bundledSchemas: Record<string, z.ZodType> = {
  pii_filter: PiiFilterSchema,
  deny_filter: DenyFilterSchema,
  regex_filter: RegexFilterSchema,
  secrets_detection: SecretsDetectionSchema,
  output_length_guard: OutputLengthGuardSchema,
  resource_filter: ResourceFilterSchema,
  url_reputation: UrlReputationSchema,
  header_injector: HeaderInjectorSchema,
  schema_guard: SchemaGuardSchema,
  html_sanitizer: HtmlSanitizerSchema,
  rate_limiter: RateLimiterSchema,
};
