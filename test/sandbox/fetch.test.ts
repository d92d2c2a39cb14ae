import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SandboxHarness, probe } from './harness.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback server that records every request it gets, so a test sees on the host whether a request left. */
class Recorder {
  readonly seen: Seen[] = [];
  private readonly server: Server;
  constructor(private readonly route: (req: IncomingMessage, res: ServerResponse, self: Recorder) => void) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
        this.route(req, res, this);
      });
    });
  }
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('the fetch capability', () => {
  let sandbox: SandboxHarness;
  let api: Recorder; // granted
  let other: Recorder; // granted too, a second origin
  let outside: Recorder; // never granted: any request it records is a failure of the boundary

  before(async () => {
    sandbox = new SandboxHarness();
    outside = await new Recorder((_req, res) => res.end('you should not be here')).start();
    other = await new Recorder((_req, res) => res.end('other')).start();
    api = await new Recorder((req, res) => {
      const path = req.url ?? '/';
      if (path === '/json') return void res.setHeader('content-type', 'application/json').end(JSON.stringify({ score: 0.9 }));
      if (path === '/echo') return void res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null }));
      if (path === '/to-outside') return void res.writeHead(302, { location: `${outside.origin}/stolen` }).end();
      if (path === '/to-self') return void res.writeHead(307, { location: '/echo' }).end();
      if (path === '/to-other') return void res.writeHead(302, { location: `${other.origin}/landing` }).end();
      if (path === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      if (path === '/big') return void res.end('x'.repeat(64 * 1024));
      if (path === '/slow') return; // never answers; the fetch timeout must end it
      res.end('hello');
    }).start();
  });
  after(async () => {
    await sandbox.close();
    await Promise.all([api.stop(), other.stop(), outside.stop()]);
  });

  const grant = () => ({ capabilities: { fetch: [api.origin, `${other.origin}/`] }, timeoutMs: 3000 });

  it('reaches a granted origin and returns a hardened, minimal response', async () => {
    const outcome = await probe(sandbox, 'ok', `
      const res = await fetch('${api.origin}/json', { method: 'post', headers: { 'X-Trace': 'abc', authorization: 'Bearer k' }, body: 'ping' });
      const data = await res.json();
      let mutated; try { res.status = 1; mutated = true; } catch { mutated = false; }
      return { status: res.status, ok: res.ok, type: res.headers.get('Content-Type'), data, frozen: Object.isFrozen(res),
        mutated, keys: Object.keys(res).sort(), text: await res.text() };`, grant());
    assert.ok(outcome.ok, outcome.error);
    assert.deepEqual(outcome.value, {
      status: 200, ok: true, type: 'application/json', data: { score: 0.9 }, frozen: true, mutated: false,
      keys: ['arrayBuffer', 'headers', 'json', 'ok', 'redirected', 'status', 'statusText', 'text', 'url'],
      text: '{"score":0.9}',
    });
    const request = api.seen.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.body, 'ping');
    assert.equal(request.headers['x-trace'], 'abc');
    assert.equal(request.headers.authorization, 'Bearer k');
  });

  it('without a grant is a frozen stub whose error names the grant to add', async () => {
    const outcome = await probe(sandbox, 'none', `
      let error; try { await fetch('https://example.com/'); } catch (e) { error = e.name + ': ' + e.message; }
      return { type: typeof fetch, frozen: Object.isFrozen(fetch), error };`);
    assert.deepEqual(outcome.value, {
      type: 'function', frozen: true, error: 'TypeError: fetch is not granted: add capabilities.fetch: [origin] to plugin none',
    });
  });

  it('refuses an origin that is not listed, before any request leaves', async () => {
    const before = outside.seen.length;
    const outcome = await probe(sandbox, 'elsewhere', `
      const results = [];
      for (const url of ['${outside.origin}/x', '${api.origin.replace('127.0.0.1', 'localhost')}/x', 'file:///etc/passwd',
        'http://user:pw@${api.origin.slice(7)}/x', '/relative']) {
        try { await fetch(url); results.push('fetched'); } catch (e) { results.push(e.name + ': ' + e.message); }
      }
      return results;`, grant());
    assert.ok(outcome.ok, outcome.error);
    const results = outcome.value as string[];
    assert.equal(results.length, 5);
    for (const r of results) assert.match(r, /^TypeError: fetch/);
    assert.match(results[0]!, /is not granted/);
    assert.equal(outside.seen.length, before, 'a request reached the unlisted server');
  });

  it('follows a redirect within the grant, and refuses one that leaves it', async () => {
    const before = outside.seen.length;
    const outcome = await probe(sandbox, 'redirects', `
      const inside = await fetch('${api.origin}/to-self', { method: 'POST', body: 'b' });
      let out; try { await fetch('${api.origin}/to-outside', { redirect: 'follow' }); out = 'fetched'; } catch (e) { out = e.message; }
      let loop; try { await fetch('${api.origin}/loop'); loop = 'fetched'; } catch (e) { loop = e.message; }
      return { inside: await inside.json(), redirected: inside.redirected, url: inside.url, out, loop };`, grant());
    assert.ok(outcome.ok, outcome.error);
    const value = outcome.value as Record<string, unknown>;
    assert.deepEqual(value.inside, { method: 'POST', auth: null });
    assert.equal(value.redirected, true);
    assert.equal(value.url, `${api.origin}/echo`);
    assert.match(value.out as string, /redirected to .* which is not granted/);
    assert.match(value.loop as string, /more than 5 redirects/);
    assert.equal(outside.seen.length, before, 'the redirect reached the unlisted server');
  });

  it('drops Authorization when a redirect moves to another granted origin', async () => {
    const outcome = await probe(sandbox, 'cross', `
      const res = await fetch('${api.origin}/to-other', { headers: { authorization: 'Bearer for-api-only' } });
      return res.text();`, grant());
    assert.equal(outcome.value, 'other');
    const landing = other.seen.at(-1)!;
    assert.equal(landing.url, '/landing');
    assert.equal(landing.headers.authorization, undefined);
  });

  it("filters the caller's init: forbidden headers fail, unknown options never reach Node's fetch", async () => {
    const outcome = await probe(sandbox, 'init', `
      const attempt = async (init) => { try { await fetch('${api.origin}/echo', init); return 'fetched'; } catch (e) { return e.message; } };
      return {
        host: await attempt({ headers: { Host: 'evil.example' } }),
        cookie: await attempt({ headers: [['cookie', 'a=b']] }),
        crlf: await attempt({ headers: { 'x-a': 'v\\r\\nx-injected: 1' } }),
        getBody: await attempt({ body: 'x' }),
        method: await attempt({ method: 'CONNECT' }),
        bodyType: await attempt({ method: 'POST', body: { toString() { return 'x'; } } }),
        ignored: await attempt({ dispatcher: {}, credentials: 'include', mode: 'no-cors', signal: 42, keepalive: true, headers: { 'x-ok': '1' } }),
      };`, grant());
    assert.ok(outcome.ok, outcome.error);
    const value = outcome.value as Record<string, string>;
    assert.match(value.host!, /header 'host' may not be set/);
    assert.match(value.cookie!, /header 'cookie' may not be set/);
    assert.match(value.crlf!, /line break/);
    assert.match(value.getBody!, /GET request has no body/);
    assert.match(value.method!, /method must be one of/);
    assert.match(value.bodyType!, /body must be a string or a Uint8Array/);
    assert.equal(value.ignored, 'fetched');
    const last = api.seen.at(-1)!;
    assert.equal(last.headers['x-ok'], '1');
    assert.equal(last.headers.host, api.origin.slice('http://'.length));
  });

  it('caps the response size', async () => {
    const outcome = await probe(sandbox, 'capped', `
      try { await fetch('${api.origin}/big'); return 'fetched'; } catch (e) { return e.message; }`,
    { ...grant(), limits: { fetch: { maxResponseBytes: 16 * 1024 } } });
    assert.match(outcome.value as string, /response body is over 16384 bytes/);
  });

  it("aborts at the plugin's timeout", async () => {
    const started = Date.now();
    const outcome = await probe(sandbox, 'slow', `
      try { await fetch('${api.origin}/slow'); return 'fetched'; } catch (e) { return e.message; }`,
    { ...grant(), timeoutMs: 300 });
    assert.match(outcome.value as string, /timed out after 300 ms/);
    assert.ok(Date.now() - started < 10_000);
  });

  it('refuses a grant entry that is not an origin', async () => {
    const outcome = await probe(sandbox, 'bad-grant', 'return 1;', { capabilities: { fetch: ['https://api.example.com/v1'] } });
    assert.equal(outcome.ok, false);
    assert.match(outcome.error!, /bad-grant.*is not an http\(s\) origin/);
  });
});
