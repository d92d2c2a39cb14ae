import { SECRET_TYPES as CORDON_SECRET_TYPES, type SecretType } from '../plugins/lib/secret-rules.js';
import type { ForeignKind } from './runtime/kinds.js';
import { contextForgePiiFilter } from './contextforge-pii.js';
import { noEffect, onlyIf, same, translator, type Handler, type Out } from './contextforge-translator.js';
import { contextForgeRate, pythonPattern, pythonPatternsKeepingCase, pythonReplacement } from './python-syntax.js';

/**
 * ContextForge v1.0.0's class paths of the plugins Cordon bundles an equivalent of, each with the translation of
 * its config keys into the Cordon plugin's: one place for every key ContextForge writes. A key with no equivalent
 * (a behaviour Cordon's plugin does not have) is reported, never dropped; a key that changes nothing here (logging,
 * a backend choice the runtime makes) is accepted and listed in the README. Host side only, handed to the runtime by
 * bundled.ts. The translation machinery is contextforge-translator.ts; Python's syntax, python-syntax.ts.
 */

const denyList = translator(
  'deny_filter',
  // ContextForge's deny list: a plain substring test, case-sensitive, on the prompt's arguments only
  () => ({ case_sensitive: true, check_names: false, match: 'substring', violations: 'contextforge' }),
  { words: same('words') },
);

const searchReplace = translator('regex_filter', () => ({}), {
  words: (value, out) => {
    out.rules = Array.isArray(value)
      ? value.map((w: { search?: unknown; replace?: unknown }) => {
        if (!w || typeof w !== 'object' || typeof w.search !== 'string') return w;
        const { source, flags } = pythonPattern(w.search);
        return { search: source, flags, replace: typeof w.replace === 'string' ? pythonReplacement(w.replace) : w.replace };
      })
      : value;
  },
});

const resourceFilter = translator(
  'resource_filter',
  // ContextForge's defaults: 1 MiB, file/http/https
  () => ({ max_content_bytes: 1_048_576, allowed_schemes: ['file', 'http', 'https'], violations: 'contextforge' }),
  {
    max_content_size: same('max_content_bytes'),
    allowed_protocols: same('allowed_schemes'),
    blocked_domains: same('blocked_domains'),
    content_filters: (value, out) => {
      out.content_filters = Array.isArray(value)
        ? value.map((f: { pattern?: unknown; replacement?: unknown }) =>
          f && typeof f === 'object' && typeof f.pattern === 'string'
            ? { pattern: pythonPattern(f.pattern).source, replacement: typeof f.replacement === 'string' ? pythonReplacement(f.replacement) : '***' }
            : f)
        : value;
    },
  },
);

/** ContextForge reads 0 and null alike as "no limit"; Cordon's plugin takes null. */
const limit = (key: string): Handler => (value, out) => {
  out[key] = value === 0 || value === null ? null : value;
};
/** ContextForge accepts "Token", " block " and the like: lower case, trimmed. */
const word = (key: string): Handler => (value, out) => {
  out[key] = typeof value === 'string' ? value.trim().toLowerCase() : value;
};
/**
 * The ellipsis, or none when ContextForge would not append it: it takes a null ellipsis as empty, and in character
 * mode cuts at max_chars without one when the ellipsis does not fit.
 */
function lengthGuardEllipsis(config: Out): unknown {
  const ellipsis = config.ellipsis === null ? '' : config.ellipsis ?? '\u2026';
  const characters = typeof config.limit_mode !== 'string' || config.limit_mode.trim().toLowerCase() === 'character';
  const max = config.max_chars;
  return typeof ellipsis === 'string' && characters && typeof max === 'number' && max > 0 && ellipsis.length >= max ? '' : ellipsis;
}

const outputLengthGuard = translator(
  'output_length_guard',
  // ContextForge's defaults: no maximum, and numbers written as strings never limited
  // and an MCP result's structured content limited as its guard does
  (config) => ({ max_chars: null, skip_numeric: true, structured_content: true, ellipsis: lengthGuardEllipsis(config), violations: 'contextforge' }),
  {
    limit_mode: word('limit_mode'),
    max_chars: limit('max_chars'),
    min_chars: same('min_chars'),
    max_tokens: limit('max_tokens'),
    min_tokens: same('min_tokens'),
    chars_per_token: same('chars_per_token'),
    strategy: word('strategy'),
    ellipsis: noEffect, // read by lengthGuardEllipsis
    word_boundary: same('word_boundary'),
    // ContextForge's own scan bounds; Cordon's payload limits (max_payload_bytes, depth) bound the walk here
    max_text_length: noEffect,
    max_structure_size: noEffect,
    max_recursion_depth: noEffect,
  },
);

/**
 * A schema as ContextForge's SchemaGuardPlugin reads it: `type`, and `required` and `properties` of an object,
 * `items` of an array; it ignores every other keyword, so they are left out here rather than enforced.
 */
function contextForgeSchema(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const { type, required, properties, items } = schema as Out;
  const out: Out = {};
  if (type !== undefined) out.type = type;
  if (type === 'object' && required !== undefined) out.required = required;
  if (type === 'object' && properties && typeof properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, sub]) => [k, contextForgeSchema(sub)]));
  }
  if (type === 'array' && items !== undefined) out.items = contextForgeSchema(items);
  return out;
}
const schemasByTool = (value: unknown) =>
  value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([tool, schema]) => [tool, contextForgeSchema(schema)])) : value ?? {};

// ContextForge lists every error it finds
const schemaGuard = translator('schema_guard', () => ({ max_errors: null, violations: 'contextforge' }), {
  arg_schemas: (value, out) => {
    out.arg_schemas = schemasByTool(value);
  },
  result_schemas: (value, out) => {
    out.result_schemas = schemasByTool(value);
  },
  block_on_violation: same('block'),
});

const headerInjector = translator('header_injector', () => ({}), {
  headers: same('headers'),
  uri_prefixes: (value, out) => {
    out.uri_prefixes = value ?? [];
  },
});

const htmlSanitizer = translator('html_sanitizer', () => ({}), {
  remove_comments: same('strip_comments'),
  strip_event_handlers: same('strip_event_handlers'),
});

/** ContextForge's secret types, each as the Cordon detector that finds it and whether it is on there by default. */
const SECRET_TYPES: Record<string, [ours: SecretType, onByDefault: boolean]> = {
  aws_access_key_id: ['aws_access_key', true], aws_secret_access_key: ['aws_secret_key', true],
  google_api_key: ['google_api_key', true], github_token: ['github_token', true], stripe_secret_key: ['stripe_key', true],
  slack_token: ['slack_token', true], private_key_block: ['private_key', true],
  // its broad patterns are off unless switched on
  generic_api_key_assignment: ['generic_api_key', false], jwt_like: ['jwt', false],
};
const CONTEXTFORGE_SECRET_NAMES = Object.fromEntries(Object.entries(SECRET_TYPES).map(([theirs, [ours]]) => [ours, theirs]));
/**
 * ContextForge's detectors: its default set, with `enabled` switching each named type on or off; a type it does not
 * have (Cordon's other detectors, passwords included) is off.
 */
function secretDetectors(enabled: Out): Out {
  const detect: Out = Object.fromEntries(CORDON_SECRET_TYPES.map((type) => [type, false]));
  for (const [theirs, [ours, on]] of Object.entries(SECRET_TYPES)) detect[ours] = Object.hasOwn(enabled, theirs) ? enabled[theirs] : on;
  return detect;
}
/**
 * ContextForge blocks unless block_on_detection is false, and only at min_findings_to_block findings; a call it does
 * not block is redacted when redact is true, else let through with its findings reported in metadata.
 */
const secretsDetection = translator('secrets_detection', (config) => {
  const otherwise = config.redact === true ? 'redact' : 'report';
  return {
    action: config.block_on_detection === false ? otherwise : 'block',
    below_min_findings: otherwise,
    redaction_text: '***REDACTED***',
    type_names: CONTEXTFORGE_SECRET_NAMES,
    detect: secretDetectors({}),
    violations: 'contextforge',
  };
}, {
  enabled: (value, out, none) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return none();
    // its hex_secret_32 and base64_24 (any long hex or base64 run) have no Cordon detector
    for (const [type, on] of Object.entries(value)) if (!Object.hasOwn(SECRET_TYPES, type) && on) return none(`enabled.${type} has no equivalent`);
    out.detect = secretDetectors(value as Out);
  },
  // both read in the base above
  redact: noEffect,
  block_on_detection: noEffect,
  redaction_text: same('redaction_text'),
  min_findings_to_block: same('min_findings_to_block'),
});

const rate = (key: string): Handler => (value, out) => {
  out[key] = contextForgeRate(value);
};

const rateLimiter = translator('rate_limiter', () => ({ violations: 'contextforge' }), {
  by_user: rate('by_user'),
  by_tenant: rate('by_tenant'),
  by_tool: (value, out) => {
    out.by_tool = value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([tool, r]) => [tool, contextForgeRate(r)])) : value;
  },
  algorithm: onlyIf((v) => v === 'fixed_window'),
  // counting happens in the manager's shared store (Redis when the fleet store is configured)
  backend: onlyIf((v) => v === 'memory' || v === 'redis'),
  redis_url: noEffect,
  redis_key_prefix: noEffect,
  redis_fallback: noEffect,
  // the clock tells a client when its window ends (X-RateLimit-Reset, Retry-After), as ContextForge's does
}, { capabilities: { store: true, clock: true } });

// ContextForge's blocks plain http unless told not to (block_non_secure_http defaults to true), and its patterns
// match the URL as written, case included
const urlReputation = translator('url_reputation', () => ({ https_only: true, case_sensitive_patterns: true, violations: 'contextforge' }), {
  blocked_domains: (value, out) => {
    out.blocked_domains = value ?? [];
  },
  blocked_patterns: (value, out) => {
    out.blocked_patterns = pythonPatternsKeepingCase(value ?? []);
  },
  whitelist_domains: (value, out) => {
    out.allowed_domains = value ?? [];
  },
  allowed_patterns: (value, out) => {
    out.allowed_patterns = pythonPatternsKeepingCase(value ?? []);
  },
  use_heuristic_check: onlyIf((v) => v === false),
  block_non_secure_http: same('https_only'),
  // read only by the heuristic check, which is refused above when on
  entropy_threshold: noEffect,
});

/** ContextForge class path -> the bundled plugin that runs for it. Both the `plugins.` and the `cpex_` paths. */
export const contextForgeClassPaths: Record<string, ForeignKind> = {
  'plugins.deny_filter.deny.DenyListPlugin': denyList,
  'plugins.regex_filter.search_replace.SearchReplacePlugin': searchReplace,
  'plugins.resource_filter.resource_filter.ResourceFilterPlugin': resourceFilter,
  'plugins.output_length_guard.output_length_guard.OutputLengthGuardPlugin': outputLengthGuard,
  'plugins.schema_guard.schema_guard.SchemaGuardPlugin': schemaGuard,
  'plugins.header_injector.header_injector.HeaderInjectorPlugin': headerInjector,
  'plugins.safe_html_sanitizer.safe_html_sanitizer.SafeHTMLSanitizerPlugin': htmlSanitizer,
  'plugins.pii_filter.pii_filter.PIIFilterPlugin': contextForgePiiFilter,
  'cpex_pii_filter.PIIFilterPlugin': contextForgePiiFilter,
  // the class's own module, as the cpex package's tests name it
  'cpex_pii_filter.pii_filter.PIIFilterPlugin': contextForgePiiFilter,
  'plugins.secrets_detection.secrets_detection.SecretsDetectionPlugin': secretsDetection,
  'cpex_secrets_detection.SecretsDetectionPlugin': secretsDetection,
  'plugins.rate_limiter.rate_limiter.RateLimiterPlugin': rateLimiter,
  'cpex_rate_limiter.RateLimiterPlugin': rateLimiter,
  'plugins.url_reputation.url_reputation.URLReputationPlugin': urlReputation,
  'cpex_url_reputation.URLReputationPlugin': urlReputation,
};
