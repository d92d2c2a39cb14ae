/**
 * Escape attempts through what a sandboxed plugin is handed (its endowments, payload and the shared intrinsics) and
 * through its neighbours in the same worker. See escape-attempts.ts for the shape and the prelude's `use()`.
 */
import type { EscapeAttempt, EscapeContext } from './escape-attempts.js';

const loopback = (ctx: EscapeContext) => `http://127.0.0.1:${ctx.loopbackPort}`;
const fetchGrant = (ctx: EscapeContext) => ({ fetch: [ctx.grantedOrigin] });
const ctorChain = (expr: string) => `return attempt(() => use(${expr}('return globalThis')()));`;
/** Tries each URL with fetch and reports, so an answer containing 'fetched' is an escape. */
const fetchEach = (urls: string[], init = '{}') =>
  `const out = [];
   for (const u of ${JSON.stringify(urls)}) {
     try { await fetch(u, ${init}); out.push('ESCAPED fetched ' + u); } catch (e) { out.push('blocked: ' + e.message); }
   }
   return out.join(' | ');`;

export const ENDOWMENT_ATTEMPTS: EscapeAttempt[] = [
  { id: 'fetch-ctor', title: 'fetch up to Function', capabilities: fetchGrant, body: () => ctorChain('fetch.constructor') },
  {
    id: 'response-ctor', title: "a fetch response's methods and headers up to Function", capabilities: fetchGrant,
    body: (ctx) => `const r = await fetch('${ctx.grantedOrigin}/');
      const tries = [r.text.constructor, r.headers.get.constructor, Object.getPrototypeOf(r).constructor.constructor];
      return tries.map((F) => attempt(() => use(F('return globalThis')()))).join(' | ');`,
  },
  {
    id: 'response-node-internals', title: "a fetch response's hidden Node internals (body stream, symbols)", capabilities: fetchGrant,
    body: (ctx) => `const r = await fetch('${ctx.grantedOrigin}/');
      const keys = Reflect.ownKeys(r).map(String).concat(Reflect.ownKeys(r.headers).map(String));
      return keys.some((k) => /Symbol|body|stream|socket/.test(k)) ? 'ESCAPED ' + keys.join() : 'blocked: ' + keys.join();`,
  },
  { id: 'env-ctor', title: 'env up to Function', capabilities: () => ({ env: ['GRANTED'] }), body: () => ctorChain('env.constructor.constructor') },
  {
    id: 'env-ungranted', title: 'read an env name that was not granted, through env and its prototype',
    capabilities: () => ({ env: ['GRANTED'] }),
    body: (ctx) => `return 'read:' + String(env[${JSON.stringify(ctx.secretName)}]) + String(Object.getPrototypeOf(env)[${JSON.stringify(ctx.secretName)}]);`,
  },
  {
    id: 'env-mutate', title: 'widen env by defining a property or changing its prototype',
    capabilities: () => ({ env: ['GRANTED'] }),
    body: () => `const r = [attempt(() => { env.EXTRA = 'x'; return 'ESCAPED assigned'; }),
      attempt(() => { Object.defineProperty(env, 'EXTRA', { value: 'x' }); return 'ESCAPED defined'; }),
      attempt(() => { Object.setPrototypeOf(env, { EXTRA: 'x' }); return 'ESCAPED reprototyped'; })];
      return r.join(' | ');`,
  },
  { id: 'performance-ctor', title: 'performance.now up to Function', capabilities: () => ({ clock: true }), body: () => ctorChain('performance.now.constructor') },
  { id: 'date-ctor', title: 'the granted Date up to Function', capabilities: () => ({ clock: true }), body: () => ctorChain('Date.constructor') },
  { id: 'crypto-ctor', title: 'crypto.getRandomValues up to Function', capabilities: () => ({ random: true }), body: () => ctorChain('crypto.getRandomValues.constructor') },
  {
    id: 'random-oob-write', title: 'getRandomValues with a faked byteLength to write past the array',
    capabilities: () => ({ random: true }),
    body: () => `const a = new Uint8Array(8); Object.defineProperty(a, 'byteLength', { value: 1 << 30 });
      Object.defineProperty(a, 'buffer', { value: new ArrayBuffer(1 << 20) });
      return attempt(() => { crypto.getRandomValues(a); return 'blocked: wrote ' + a.length + ' bytes'; });`,
  },
  { id: 'fetch-unlisted', title: 'fetch to an ungranted loopback port', capabilities: fetchGrant, body: (ctx) => fetchEach([`${loopback(ctx)}/`]) },
  {
    id: 'fetch-url-tricks', title: 'fetch with userinfo, hex, IPv6-mapped and localhost spellings of the loopback', capabilities: fetchGrant,
    body: (ctx) => fetchEach([
      `${ctx.grantedOrigin}@127.0.0.1:${ctx.loopbackPort}/`, `http://0x7f.0.0.1:${ctx.loopbackPort}/`,
      `http://[::ffff:127.0.0.1]:${ctx.loopbackPort}/`, `http://localhost:${ctx.loopbackPort}/`, `http://2130706433:${ctx.loopbackPort}/`,
    ]),
  },
  {
    id: 'fetch-redirect-out', title: 'a granted origin redirecting to the loopback port', capabilities: fetchGrant,
    body: (ctx) => fetchEach([`${ctx.grantedOrigin}/redirect-to-loopback`], "{ redirect: 'follow' }"),
  },
  {
    id: 'fetch-dispatcher', title: "an undici dispatcher in init to take over the connection", capabilities: fetchGrant,
    body: (ctx) => `let called = false;
      const dispatcher = { dispatch() { called = true; return true; }, connect() { called = true; } };
      try { await fetch('${ctx.grantedOrigin}/', { dispatcher }); } catch {}
      return called ? 'ESCAPED dispatcher called' : 'blocked: dispatcher ignored';`,
  },
  {
    id: 'fetch-headers-toctou', title: 'a headers proxy that answers differently on a second read', capabilities: fetchGrant,
    body: (ctx) => `let reads = 0;
      const headers = new Proxy({ 'x-a': '1' }, { ownKeys: () => (reads++ === 0 ? ['x-a'] : ['host']), getOwnPropertyDescriptor: () => ({ value: 'v', enumerable: true, configurable: true }),
        get: (t, k) => (k === 'host' ? '127.0.0.1:${ctx.loopbackPort}' : 'v') });
      const seen = await (await fetch('${ctx.grantedOrigin}/echo-host', { headers })).text();
      return seen.includes(':${ctx.loopbackPort}') ? 'ESCAPED host spoofed' : 'blocked: host seen ' + seen;`,
  },
  {
    id: 'fetch-fake-bytes', title: 'a body object that claims to be a Uint8Array', capabilities: fetchGrant,
    body: (ctx) => `const fake = { [Symbol.toStringTag]: 'Uint8Array', byteLength: 1e9, buffer: null };
      return attempt(() => fetch('${ctx.grantedOrigin}/', { method: 'POST', body: fake }).then(() => 'ESCAPED sent', (e) => 'blocked: ' + e.message));`,
  },
  {
    id: 'console-inspect-custom', title: "console.log of an object with util.inspect.custom, hoping for Node's inspect",
    body: () => `let got = 'never called';
      console.log({ [Symbol.for('nodejs.util.inspect.custom')](depth, options, inspect) { got = use(inspect && inspect.constructor('return globalThis')()); return 'x'; } });
      return got;`,
  },
  {
    id: 'console-to-string', title: 'console.log of an object whose toJSON walks its arguments', body: () => `let got = 'no receiver';
      console.log({ toJSON(key) { got = use(this && this.constructor && this.constructor.constructor('return globalThis')()); return 1; } });
      return got;`,
  },
  {
    id: 'console-replace', title: "replace console.log (to read a neighbour's output) or the console itself",
    body: () => `return [attempt(() => { console.log = () => {}; return 'ESCAPED replaced method'; }),
      attempt(() => { Object.setPrototypeOf(console, { log() {} }); return 'ESCAPED reprototyped'; })].join(' | ');`,
  },
  {
    id: 'host-object', title: 'a worker-built capability object (as the store is) up to Function, and its hidden data',
    hostCounter: true,
    body: () => `const hidden = typeof counter.hidden === 'undefined' ? 'blocked: no hidden data' : 'ESCAPED hidden ' + JSON.stringify(counter.hidden);
      return [hidden, attempt(() => use(counter.next.constructor('return globalThis')())),
        attempt(() => use(Object.getPrototypeOf(counter).constructor.constructor('return globalThis')()))].join(' | ');`,
  },
];

export const PROTOTYPE_ATTEMPTS: EscapeAttempt[] = [
  ...(['Object.prototype', 'Array.prototype', 'Function.prototype', 'Promise.prototype', 'JSON', 'Reflect', 'Math', 'Symbol'] as const).map(
    (target): EscapeAttempt => ({
      id: `poison-${target.toLowerCase().replace('.', '-')}`,
      title: `add or replace a property of ${target}`,
      body: () => `return [attempt(() => { ${target}.pwned = 'yes'; return 'ESCAPED added'; }),
        attempt(() => { Object.defineProperty(${target}, 'toString', { value: () => 'pwned' }); return 'ESCAPED replaced'; })].join(' | ');`,
    }),
  ),
  {
    id: 'proto-via-payload', title: "__proto__ of the payload (the worker realm's Object.prototype)",
    body: () => `return attempt(() => { payload.__proto__.pwned = 'yes'; return ({}).pwned === 'yes' ? 'ESCAPED polluted' : 'blocked: no effect'; });`,
  },
  {
    id: 'thenable-poison', title: 'a then() on Object.prototype to hijack the worker awaiting the result',
    body: () => `return attempt(() => { Object.defineProperty(Object.prototype, 'then', { value(r) { r(use(globalThis)); } }); return 'ESCAPED defined then'; });`,
  },
  {
    id: 'promise-then-replace', title: "replace Promise.prototype.then to run code in the worker's awaits",
    body: () => `return attempt(() => { Promise.prototype.then = function () { use(globalThis); }; return 'ESCAPED replaced then'; });`,
  },
  {
    id: 'regexp-statics', title: "read the worker's last regexp match through RegExp.$1 / lastMatch",
    capabilities: fetchGrant,
    body: (ctx) => `await fetch('${ctx.grantedOrigin}/', { headers: { 'x-secret-name': 'value' } });
      return 'statics:' + [typeof RegExp.$1, typeof RegExp.lastMatch, typeof RegExp.input].join();`,
  },
];

export const NEIGHBOUR_ATTEMPTS: EscapeAttempt[] = [
  {
    id: 'neighbour-global', title: 'leave a granted secret on the global object for the next plugin',
    capabilities: () => ({ env: ['GRANTED'] }),
    body: () => `globalThis.leaked = env.GRANTED; return 'left';`,
    follower: () => `return typeof globalThis.leaked === 'undefined' ? 'blocked: nothing left' : 'ESCAPED read ' + globalThis.leaked;`,
  },
  {
    id: 'neighbour-intrinsic-stash', title: 'stash data on a shared intrinsic for the next plugin',
    body: () => `return [attempt(() => { Math.stash = 'left'; return 'stashed'; }), attempt(() => { Object.defineProperty(Array, 'stash', { value: 'left' }); return 'stashed'; })].join();`,
    follower: () => `return Math.stash || Array.stash ? 'ESCAPED read stash' : 'blocked: nothing stashed';`,
  },
  {
    id: 'neighbour-grant', title: "use a neighbour's clock and random grants",
    capabilities: () => ({ clock: true, random: true }),
    body: () => `return 'granted:' + typeof Date.now() + typeof crypto;`,
    follower: () => `return [attempt(() => 'ESCAPED clock ' + Date.now()), attempt(() => 'ESCAPED random ' + Math.random()), typeof crypto].join(' | ');`,
  },
];
