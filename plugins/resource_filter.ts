import type { HookResult, Payload, ResourceFilterConfig } from './schemas.js';

/**
 * Guards resource fetches: before the fetch the URI must use an allowed scheme, name an allowed host (when a list
 * is set) and stay out of blocked paths; after it, the content must fit in `max_content_bytes`. Parses URIs itself
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

/** UTF-8 length without TextEncoder (absent in a compartment). */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const block = (code: string, reason: string, description: string, details: Record<string, unknown>): HookResult => ({
  continue_processing: false,
  violation: { reason, description, code, details },
});

export default (config: ResourceFilterConfig) => {
  const schemes = new Set(config.allowed_schemes);
  const blockedPaths = config.blocked_paths.map((p) => normalizePath(p) ?? p);

  return {
    resource_pre_fetch(payload: Payload): HookResult | undefined {
      const uri = String(payload.uri);
      const parsed = parseUri(uri);
      if (!parsed) return block('RESOURCE_URI_INVALID', 'Invalid resource URI', `${uri} is not an absolute URI`, { uri });
      if (!schemes.has(parsed.scheme)) {
        return block('RESOURCE_SCHEME_BLOCKED', 'Scheme not allowed',
          `${parsed.scheme}: is not an allowed scheme (allowed: ${config.allowed_schemes.join(', ')})`, { uri, scheme: parsed.scheme });
      }
      const { host, path } = parsed;
      if (host !== null && config.allowed_domains.length > 0 && !config.allowed_domains.some((d) => onDomain(host, d))) {
        return block('RESOURCE_DOMAIN_BLOCKED', 'Domain not allowed', `${host} is not on the allowed domain list`, { uri, host });
      }
      const hit = blockedPaths.find((p) => path === p || path.startsWith(p === '/' ? p : `${p}/`));
      if (hit !== undefined) {
        return block('RESOURCE_PATH_BLOCKED', 'Path blocked', `${path} is under the blocked path ${hit}`, { uri, path, blocked_path: hit });
      }
      return undefined;
    },

    resource_post_fetch(payload: Payload): HookResult | undefined {
      const { content } = payload;
      const size = utf8Bytes(typeof content === 'string' ? content : (JSON.stringify(content) ?? ''));
      if (size <= config.max_content_bytes) return { metadata: { content_bytes: size } };
      return block('RESOURCE_TOO_LARGE', 'Resource too large',
        `content is ${size} bytes, over the limit of ${config.max_content_bytes}`, { uri: payload.uri, size, limit: config.max_content_bytes });
    },
  };
};
