import type { HookResult, Payload, PluginContext, ResourceFilterConfig } from './schemas.js';
import { utf8Bytes } from './lib/strings.js';

/**
 * Guards resource fetches: before the fetch the URI must use an allowed scheme, name an allowed host (when a list
 * is set), no blocked domain, and stay out of blocked paths; after it, the content must fit in `max_content_bytes`,
 * and its text goes through `content_filters`. Parses URIs itself
 * (a sandbox compartment has no URL global) and is otherwise self-contained.
 */

interface ParsedUri {
  scheme: string;
  host: string | null;
  path: string;
}

const URI = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?#\\]*))?([^?#]*)/;

function parseUri(uri: string): ParsedUri | null {
  const m = URI.exec(uri);
  if (!m) return null;
  const authority = m[2];
  let host: string | null = null;
  if (authority !== undefined) {
    const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
    host = (hostPort.startsWith('[') ? hostPort.slice(0, hostPort.indexOf(']') + 1) : hostPort.replace(/:\d*$/, ''))
      .toLowerCase()
      .replace(/\.$/, '');
  }
  const path = normalizePath(m[3] ?? '');
  return path === null ? null : { scheme: m[1]!.toLowerCase(), host: host || null, path };
}

/**
 * Decodes %XX and resolves `.` and `..` segments (backslashes count as separators), so `/data/%2e%2e/etc` is
 * judged as `/etc`; null when the escapes are malformed.
 */
function normalizePath(raw: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  const out: string[] = [];
  for (const segment of decoded.replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

const onDomain = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

const block = (code: string, reason: string, description: string, details: Record<string, unknown>): HookResult => ({
  continue_processing: false,
  violation: { reason, description, code, details },
});

/** The fetched text, when the content is text: a string, or an MCP resource content's `text`. */
function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  const text = content && typeof content === 'object' ? (content as { text?: unknown }).text : undefined;
  return typeof text === 'string' ? text : null;
}

/** Reason and code of each refusal: Cordon's, or (`violations: contextforge`) those of ContextForge's ResourceFilterPlugin. */
const VIOLATIONS = {
  cordon: {
    invalid: ['RESOURCE_URI_INVALID', 'Invalid resource URI'],
    scheme: ['RESOURCE_SCHEME_BLOCKED', 'Scheme not allowed'],
    blockedDomain: ['RESOURCE_DOMAIN_BLOCKED', 'Domain blocked'],
    tooLarge: ['RESOURCE_TOO_LARGE', 'Resource too large'],
  },
  contextforge: {
    invalid: ['INVALID_URI', 'Invalid URI format'],
    scheme: ['PROTOCOL_BLOCKED', 'Protocol not allowed'],
    blockedDomain: ['DOMAIN_BLOCKED', 'Domain is blocked'],
    tooLarge: ['CONTENT_TOO_LARGE', 'Content exceeds maximum size'],
  },
} as const;

/**
 * What ContextForge's ResourceFilterPlugin does with a URI it lets through: marks the fetch's metadata as validated
 * (with the scheme, request, user and size limit), and remembers in its local state, for its post-fetch, that it did.
 */
function markValidated(payload: Payload, scheme: string, allowedSize: number, context: PluginContext | undefined): HookResult {
  const global = context?.global_context;
  if (context) Object.assign(context.state, { uri_validated: true, original_uri: payload.uri });
  const metadata = payload.metadata && typeof payload.metadata === 'object' ? payload.metadata : {};
  return {
    modified_payload: {
      ...payload,
      metadata: {
        ...metadata, validated: true, protocol: scheme, request_id: global?.request_id ?? null, user: global?.user ?? null,
        resource_filter_plugin: 'pre_fetch_validated', allowed_size: allowedSize,
      },
    },
    metadata: { validation: 'passed' },
  };
}

export default (config: ResourceFilterConfig) => {
  const schemes = new Set(config.allowed_schemes);
  const blockedPaths = config.blocked_paths.map((p) => normalizePath(p) ?? p);
  const filters = config.content_filters.map((f) => ({ pattern: new RegExp(f.pattern, 'gi'), replacement: f.replacement }));
  const v = VIOLATIONS[config.violations];

  return {
    resource_pre_fetch(payload: Payload, context?: PluginContext): HookResult | undefined {
      const uri = String(payload.uri);
      const parsed = parseUri(uri);
      if (!parsed) return block(v.invalid[0], v.invalid[1], `${uri} is not an absolute URI`, { uri });
      if (!schemes.has(parsed.scheme)) {
        return block(v.scheme[0], v.scheme[1],
          `${parsed.scheme}: is not an allowed scheme (allowed: ${config.allowed_schemes.join(', ')})`, { uri, scheme: parsed.scheme });
      }
      const { host, path } = parsed;
      if (host !== null && config.allowed_domains.length > 0 && !config.allowed_domains.some((d) => onDomain(host, d))) {
        return block('RESOURCE_DOMAIN_BLOCKED', 'Domain not allowed', `${host} is not on the allowed domain list`, { uri, host });
      }
      if (host !== null && config.blocked_domains.some((d) => onDomain(host, d))) {
        return block(v.blockedDomain[0], v.blockedDomain[1], `${host} is on the blocked domain list`, { uri, domain: host });
      }
      const hit = blockedPaths.find((p) => path === p || path.startsWith(p === '/' ? p : `${p}/`));
      if (hit !== undefined) {
        return block('RESOURCE_PATH_BLOCKED', 'Path blocked', `${path} is under the blocked path ${hit}`, { uri, path, blocked_path: hit });
      }
      return config.violations === 'contextforge' ? markValidated(payload, parsed.scheme, config.max_content_bytes, context) : undefined;
    },

    resource_post_fetch(payload: Payload, context?: PluginContext): HookResult | undefined {
      // ContextForge's plugin filters only what its own pre-fetch let through (it keeps that in its local state)
      if (config.violations === 'contextforge' && context?.state.uri_validated !== true) return undefined;
      const { content } = payload;
      const text = textOf(content);
      // ContextForge measures the text it filters; Cordon measures whatever was fetched
      const measured = config.violations === 'contextforge' && text !== null ? text : typeof content === 'string' ? content : (JSON.stringify(content) ?? '');
      const size = utf8Bytes(measured);
      if (size > config.max_content_bytes) {
        return block(v.tooLarge[0], v.tooLarge[1],
          `content is ${size} bytes, over the limit of ${config.max_content_bytes}`, { uri: payload.uri, size, limit: config.max_content_bytes });
      }
      const filtered = text === null ? null : filters.reduce((t, f) => t.replace(f.pattern, f.replacement), text);
      if (filtered === null || filtered === text) return { metadata: { content_bytes: size } };
      const modified = typeof content === 'string' ? filtered : { ...(content as Record<string, unknown>), text: filtered };
      return { modified_payload: { ...payload, content: modified }, metadata: { content_bytes: size, filtered: true } };
    },
  };
};
