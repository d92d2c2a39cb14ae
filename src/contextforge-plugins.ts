import { CONTEXTFORGE_SECRET_TYPES } from '../plugins/lib/contextforge-secrets.js';
import type { ForeignKind } from './runtime/kinds.js';
import { contextForgePiiFilter } from './contextforge-pii.js';
import { noEffect, same, setIn, translator, type Handler, type Out } from './contextforge-translator.js';
import { contextForgeRateLimiter } from './contextforge-rate-limiter.js';
import { pythonPattern, pythonPatternsKeepingCase, pythonReplacement } from './python-syntax.js';

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
}, undefined, { rules: 'words' });

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
  undefined,
  { max_content_bytes: 'max_content_size', allowed_schemes: 'allowed_protocols' },
);

/** ContextForge reads 0 and null alike as "no limit"; Cordon's plugin takes null. */
const limit = (key: string): Handler => (value, out) => {
  out[key] = value === 0 || value === null ? null : value;
};
/** ContextForge accepts "Token", " block " and the like: lower case, trimmed. */
const word = (key: string): Handler => (value, out) => {
  out[key] = typeof value === 'string' ? value.trim().toLowerCase() : value;
};
/** The ellipsis ContextForge is configured with: its own default, and a null one taken as empty. */
const configuredEllipsis = (config: Out): unknown => (config.ellipsis === null ? '' : config.ellipsis ?? '\u2026');
/**
 * Whether ContextForge appends the ellipsis: in character mode, when it does not fit in max_chars, ContextForge cuts at
 * max_chars without one, and without looking for a word boundary.
 */
function lengthGuardEllipsisFits(config: Out): boolean {
  const ellipsis = configuredEllipsis(config);
  const characters = typeof config.limit_mode !== 'string' || config.limit_mode.trim().toLowerCase() === 'character';
  const max = config.max_chars;
  return !(typeof ellipsis === 'string' && characters && typeof max === 'number' && max > 0 && [...ellipsis].length >= max);
}

const outputLengthGuard = translator(
  'output_length_guard',
  // ContextForge's defaults: no maximum, numbers written as strings never limited, an MCP result's structured content
  // limited as its guard does, within its security limits there (10,000 items, 100 levels)
  (config) => ({ max_chars: null, skip_numeric: true, structured_content: true, max_structure_size: 10_000, max_recursion_depth: 100,
    ellipsis: lengthGuardEllipsisFits(config) ? configuredEllipsis(config) : '', violations: 'contextforge' }),
  {
    limit_mode: word('limit_mode'),
    max_chars: limit('max_chars'),
    min_chars: same('min_chars'),
    max_tokens: limit('max_tokens'),
    min_tokens: same('min_tokens'),
    chars_per_token: same('chars_per_token'),
    strategy: word('strategy'),
    ellipsis: noEffect, // read in the base config above
    word_boundary: (value, out, _none, config) => {
      out.word_boundary = lengthGuardEllipsisFits(config) ? value : false;
    },
    // bounds a token-mode cut only past a million characters, beyond Cordon's max_payload_bytes
    max_text_length: noEffect,
    max_structure_size: same('max_structure_size'),
    max_recursion_depth: same('max_recursion_depth'),
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

const htmlSanitizer = translator(
  'html_sanitizer',
  // ContextForge's sanitizer writes the page anew from an allow-list, dropping these elements with their content
  () => ({ strip_tags: ['script', 'iframe', 'object', 'embed', 'meta', 'link', 'style'], allow_list: {} }),
  {
    allowed_tags: setIn('allow_list', 'tags'),
    allowed_attrs: setIn('allow_list', 'attributes'),
    remove_comments: same('strip_comments'),
    // ContextForge reads the key but drops a tag not allowed whatever it says
    drop_unknown_tags: noEffect,
    strip_event_handlers: same('strip_event_handlers'),
    sanitize_css: (value, out) => setIn('allow_list', 'keep_style')(typeof value === 'boolean' ? !value : value, out, () => {}, {}),
    allow_data_images: setIn('allow_list', 'data_images'),
    remove_bidi_controls: setIn('allow_list', 'remove_bidi_controls'),
    to_text: setIn('allow_list', 'to_text'),
  },
);

const flag: Handler = (value, _out, none) => {
  if (typeof value !== 'boolean') none(`must be true or false, not ${JSON.stringify(value)}`);
};

/**
 * ContextForge's secrets detection runs on its own pattern table (contextforge_patterns): `enabled` switches its
 * patterns, the ones it does not name keep their defaults. It blocks unless block_on_detection is false, and only at
 * min_findings_to_block findings; a call it does not block is redacted when redact is true, else let through with its
 * findings in metadata; a call it blocks comes back redacted when redact is true.
 */
const secretsDetection = translator('secrets_detection', (config) => {
  const otherwise = config.redact === true ? 'redact' : 'report';
  return {
    action: config.block_on_detection === false ? otherwise : 'block',
    below_min_findings: otherwise,
    redact_blocked: config.redact === true,
    redaction_text: '***REDACTED***',
    contextforge_patterns: {},
    violations: 'contextforge',
  };
}, {
  enabled: (value, out, none) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return none();
    // ContextForge ignores a name it has no pattern for; one switched on asks for a detector neither has
    for (const [type, on] of Object.entries(value)) {
      if (!(CONTEXTFORGE_SECRET_TYPES as readonly string[]).includes(type) && on !== false) return none(`enabled.${type}: ContextForge has no such pattern`);
    }
    out.contextforge_patterns = Object.fromEntries(Object.entries(value).filter(([type]) => (CONTEXTFORGE_SECRET_TYPES as readonly string[]).includes(type)));
  },
  // both read in the base above; ContextForge refuses any other value than a boolean, as here
  redact: flag,
  block_on_detection: flag,
  redaction_text: same('redaction_text'),
  min_findings_to_block: same('min_findings_to_block'),
});

// ContextForge's blocks plain http unless told not to (block_non_secure_http defaults to true), and a URI it cannot
// read a host from; its patterns match the URL as written, case included
const urlReputation = translator(
  'url_reputation',
  () => ({ https_only: true, require_host: true, case_sensitive_patterns: true, violations: 'contextforge' }),
  {
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
    use_heuristic_check: same('heuristics'),
    block_non_secure_http: same('https_only'),
    entropy_threshold: same('entropy_threshold'),
  },
);

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
  // the module the package re-exports from, which its own tests name
  'cpex_secrets_detection.secrets_detection.SecretsDetectionPlugin': secretsDetection,
  'plugins.rate_limiter.rate_limiter.RateLimiterPlugin': contextForgeRateLimiter,
  'cpex_rate_limiter.RateLimiterPlugin': contextForgeRateLimiter,
  'plugins.url_reputation.url_reputation.URLReputationPlugin': urlReputation,
  'cpex_url_reputation.URLReputationPlugin': urlReputation,
};
