/**
 * The `fetch` a sandboxed plugin gets when its entry grants origins. It is a closure over Node's fetch, never Node's
 * fetch itself: the plugin's arguments are read once, checked and copied into a fresh request; redirects are followed
 * here so every hop is checked against the grant; the answer is a hardened object holding plain data, never Node's
 * `Response` (whose prototypes are unhardened worker-realm objects a plugin could poison for everyone in the worker).
 */

import type { Lifetime } from './grant-scope.js';

export interface FetchLimits {
  /** bytes of response body read before the fetch fails */
  maxResponseBytes: number;
  /** bytes of request body accepted */
  maxRequestBytes: number;
  /** redirects followed, each to a granted origin */
  maxRedirects: number;
  /** fetches of one plugin in flight at once; more are refused rather than queued */
  maxConcurrent: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = Object.freeze({
  maxResponseBytes: 1024 * 1024,
  maxRequestBytes: 1024 * 1024,
  maxRedirects: 5,
  maxConcurrent: 16,
});

export interface FetchGrant {
  /** how messages the plugin reads name it (never its file path) */
  label: string;
  origins: ReadonlySet<string>;
  timeoutMs: number;
  limits: FetchLimits;
  /** fetch works only while this lifetime is open, and what is in flight when it closes is aborted */
  lifetime?: Lifetime;
}

/**
 * Node's fetch and Headers, read when the first fetch grant is built: touching them loads undici (~16 ms), which a
 * worker without fetch grants should not pay. Plugins cannot reach the worker's globals, so reading them late is safe.
 */
let hostApi: { fetch: typeof fetch; Headers: typeof Headers } | undefined;
function host(): { fetch: typeof fetch; Headers: typeof Headers } {
  hostApi ??= { fetch: globalThis.fetch, Headers: globalThis.Headers };
  return hostApi;
}
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!
  .get as (this: unknown) => string | undefined;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_HEADERS = 64;
/** Names a plugin may not set: connection control, ambient credentials and spoofed provenance (as browsers forbid). */
const FORBIDDEN_HEADERS = new Set([
  'accept-charset', 'accept-encoding', 'connection', 'content-length', 'cookie', 'cookie2', 'date', 'dnt', 'expect',
  'host', 'keep-alive', 'origin', 'referer', 'set-cookie', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'via',
]);
const FORBIDDEN_HEADER_PREFIXES = ['proxy-', 'sec-', 'access-control-request-'];

/** Checks grant entries and reduces each to its origin; an entry with a path, credentials or another scheme is refused. */
export function normalizeOrigins(entries: readonly string[], label: string): Set<string> {
  const origins = new Set<string>();
  for (const entry of entries) {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    const exact = url && (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password &&
      (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
    if (!url || !exact) {
      throw new Error(`${label}: capabilities.fetch entry '${entry}' is not an http(s) origin like https://api.example.com`);
    }
    origins.add(url.origin);
  }
  return origins;
}

/** Errors the plugin sees: plain TypeErrors (a hardened shared intrinsic), never Node's error objects or causes. */
const ownErrors = new WeakSet<object>();
function refuse(message: string): TypeError {
  const err = new TypeError(message);
  ownErrors.add(err);
  return err;
}

export function makeFetch(grant: FetchGrant): (input: unknown, init?: unknown) => Promise<object> {
  const { fetch: hostFetch, Headers: HostHeaders } = host();
  let inFlight = 0;
  const allowed = (url: URL): boolean =>
    (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && grant.origins.has(url.origin);
  const describeGrant = (): string => [...grant.origins].join(', ') || 'none';

  async function sandboxFetch(input: unknown, init: unknown, scope: (() => AbortSignal) | undefined): Promise<object> {
    if (typeof input !== 'string') throw refuse('fetch takes the URL as a string');
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw refuse(`fetch: '${input.slice(0, 200)}' is not an absolute URL`);
    }
    if (!allowed(url)) {
      throw refuse(`fetch to ${url.origin} is not granted to ${grant.label} (granted: ${describeGrant()})`);
    }
    url.hash = '';
    const request = readInit(init, grant.limits);
    if (inFlight >= grant.limits.maxConcurrent) {
      throw refuse(`fetch: more than ${grant.limits.maxConcurrent} fetches in flight`);
    }
    inFlight += 1;
    const signal = scope ? AbortSignal.any([AbortSignal.timeout(grant.timeoutMs), scope()]) : AbortSignal.timeout(grant.timeoutMs);
    try {
      return await follow(url, request, signal);
    } catch (err) {
      if (typeof err === 'object' && err !== null && ownErrors.has(err)) throw err;
      if (signal.aborted) throw refuse(`fetch to ${url.origin} timed out after ${grant.timeoutMs} ms`);
      throw refuse(`fetch to ${url.origin} failed${networkCode(err)}`);
    } finally {
      inFlight -= 1;
    }
  }

  async function follow(url: URL, request: OutgoingRequest, signal: AbortSignal): Promise<object> {
    let { method, headers, body } = request;
    for (let hop = 0; ; hop++) {
      const res = await hostFetch(url.href, {
        method, headers: new HostHeaders(headers), body, signal,
        redirect: 'manual', credentials: 'omit', keepalive: false,
      });
      const location = res.headers.get('location');
      if (!REDIRECTS.has(res.status) || location === null) {
        return makeResponse(res, await readCapped(res, grant.limits.maxResponseBytes, url), url, hop > 0);
      }
      await res.body?.cancel();
      if (hop >= grant.limits.maxRedirects) throw refuse(`fetch to ${url.origin}: more than ${grant.limits.maxRedirects} redirects`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw refuse(`fetch to ${url.origin}: redirect to an invalid location`);
      }
      if (!allowed(next)) {
        throw refuse(`fetch to ${url.origin} redirected to ${next.origin}, which is not granted to ${grant.label}`);
      }
      if ((res.status === 303 && method !== 'HEAD') || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers = headers.filter(([name]) => name !== 'content-type');
      }
      // a credential meant for one granted origin is not handed to another
      if (next.origin !== url.origin) headers = headers.filter(([name]) => name !== 'authorization');
      next.hash = '';
      url = next;
    }
  }

  const { lifetime } = grant;
  return harden(lifetime ? (input: unknown, init?: unknown) => lifetime.call((scope) => sandboxFetch(input, init, scope))
    : (input: unknown, init?: unknown) => sandboxFetch(input, init, undefined));
}

interface OutgoingRequest {
  method: string;
  headers: Array<[string, string]>;
  body: string | Uint8Array | undefined;
}

/** Reads only `method`, `headers` and `body`, each once; everything else in the plugin's init is ignored. */
function readInit(init: unknown, limits: FetchLimits): OutgoingRequest {
  if (init === undefined || init === null) return { method: 'GET', headers: [], body: undefined };
  if (typeof init !== 'object') throw refuse('fetch: init must be an object');
  const { method: rawMethod, headers: rawHeaders, body: rawBody } = init as Record<string, unknown>;
  const method = rawMethod === undefined ? 'GET' : typeof rawMethod === 'string' ? rawMethod.toUpperCase() : '';
  if (!METHODS.has(method)) throw refuse(`fetch: method must be one of ${[...METHODS].join(', ')}`);
  const headers = readHeaders(rawHeaders);
  let body: string | Uint8Array | undefined;
  if (rawBody === undefined || rawBody === null) {
    body = undefined;
  } else if (typeof rawBody === 'string') {
    body = rawBody;
  } else if (typedArrayTag.call(rawBody) === 'Uint8Array') {
    // copying through the constructor uses the array's internal slots, not properties the plugin could fake
    body = new Uint8Array(rawBody as Uint8Array);
  } else {
    throw refuse('fetch: body must be a string or a Uint8Array');
  }
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) throw refuse(`fetch: a ${method} request has no body`);
  const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : (body?.byteLength ?? 0);
  if (size > limits.maxRequestBytes) throw refuse(`fetch: request body of ${size} bytes is over ${limits.maxRequestBytes}`);
  return { method, headers, body };
}

function readHeaders(raw: unknown): Array<[string, string]> {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object') throw refuse('fetch: headers must be an object or an array of [name, value] pairs');
  const pairs: Array<[unknown, unknown]> = Array.isArray(raw)
    ? raw.map((entry: unknown) => (Array.isArray(entry) && entry.length === 2 ? [entry[0], entry[1]] : [undefined, undefined]))
    : Object.keys(raw).map((key) => [key, (raw as Record<string, unknown>)[key]]);
  if (pairs.length > MAX_HEADERS) throw refuse(`fetch: more than ${MAX_HEADERS} headers`);
  return pairs.map(([name, value]) => {
    if (typeof name !== 'string' || !TOKEN.test(name)) throw refuse('fetch: a header name is not a valid token');
    const lower = name.toLowerCase();
    if (FORBIDDEN_HEADERS.has(lower) || FORBIDDEN_HEADER_PREFIXES.some((p) => lower.startsWith(p))) {
      throw refuse(`fetch: header '${lower}' may not be set by a plugin`);
    }
    if (typeof value !== 'string' && typeof value !== 'number') throw refuse(`fetch: header '${lower}' must be a string`);
    const text = String(value);
    if (/[\r\n\0]/.test(text)) throw refuse(`fetch: header '${lower}' contains a line break or NUL`);
    return [lower, text];
  });
}

async function readCapped(res: Response, max: number, url: URL): Promise<Uint8Array> {
  const tooLarge = () => refuse(`fetch to ${url.origin}: response body is over ${max} bytes`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > max) {
    await res.body?.cancel();
    throw tooLarge();
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function makeResponse(res: Response, bytes: Uint8Array, url: URL, redirected: boolean): object {
  const headerMap = new Map<string, string>();
  res.headers.forEach((value, name) => headerMap.set(name, value));
  const text = (): string => new TextDecoder('utf-8').decode(bytes);
  const headers = {
    get: (name: unknown) => (typeof name === 'string' ? (headerMap.get(name.toLowerCase()) ?? null) : null),
    has: (name: unknown) => typeof name === 'string' && headerMap.has(name.toLowerCase()),
    entries: () => [...headerMap].map(([name, value]) => [name, value]),
  };
  return harden({
    ok: res.ok,
    status: res.status,
    statusText: res.statusText,
    url: url.href,
    redirected,
    headers,
    text: async () => text(),
    json: async () => JSON.parse(text()) as unknown,
    arrayBuffer: async () => bytes.slice().buffer,
  });
}

function networkCode(err: unknown): string {
  const cause = typeof err === 'object' && err !== null ? (err as { cause?: unknown }).cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? `: ${code}` : '';
}
