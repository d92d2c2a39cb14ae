import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import type { McpClientConfig } from './external-config.js';

type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A fetch whose response bodies stop at `max` bytes: the SDK reads a reply (JSON or an SSE stream) whole, so a
 * server's huge reply is cut while it streams in rather than after it is all in memory.
 */
export function boundedFetch(base: FetchLike, max: number): FetchLike {
  return async (url, init) => {
    const response = await base(url, init);
    if (!response.body) return response;
    let seen = 0;
    const limit = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > max) controller.error(new Error(`the server's reply is over the limit of ${max} bytes`));
        else controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(limit), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * A fetch over node:https with the entry's `tls` settings (a CA bundle, a client certificate for mTLS,
 * verification switches): Node's global fetch takes no per-call TLS options.
 */
export async function tlsFetch(tls: NonNullable<McpClientConfig['tls']>): Promise<FetchLike> {
  const [ca, cert, key] = await Promise.all([tls.ca_bundle, tls.certfile, tls.keyfile].map((f) => (f ? readFile(f) : undefined)));
  const options = {
    ca, cert, key, passphrase: tls.keyfile_password, rejectUnauthorized: tls.verify,
    ...(tls.check_hostname ? {} : { checkServerIdentity: () => undefined }),
  };
  return (url, init = {}) => new Promise<Response>((resolve, reject) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const req = httpsRequest(new URL(String(url)), { method: init.method ?? 'GET', headers, signal: init.signal ?? undefined, ...options }, (res) => {
      const out = new Headers();
      for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) out.set(name, Array.isArray(value) ? value.join(', ') : value);
      const status = res.statusCode ?? 500;
      const body = status === 204 || status === 304 ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers: out }));
    });
    req.on('error', (err) => reject(Object.assign(new TypeError('fetch failed'), { cause: err })));
    req.end(typeof init.body === 'string' ? init.body : undefined);
  });
}
