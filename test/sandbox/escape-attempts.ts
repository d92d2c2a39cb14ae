/**
 * Escape attempts by sandboxed plugins, as data, so the boundary's own test (escapes.test.ts) and the manager-level
 * security suite can run the same list. Every attempt that obtains anything process-like hands it to `use()`, which
 * then leaves host-side traces: the env secret in its answer, a marker file, a spawned process's file and a loopback
 * connection. This file: ambient globals, constructor chains, evaluators and source-level tricks; the endowment and
 * cross-plugin attempts are in escape-attempts-endowments.ts.
 */
import type { SandboxCapabilities } from '../../src/sandbox/compartment.js';

export interface EscapeContext {
  /** a file the attempt writes (and `<marker>.spawn`, which a spawned `touch` writes) if it escapes */
  marker: string;
  /** the name of an env variable whose value must never appear in anything the plugin reports */
  secretName: string;
  /** a loopback TCP port nobody is granted; any connection to it is an escape */
  loopbackPort: number;
  /** an origin granted to attempts that need fetch; it can redirect to the loopback port */
  grantedOrigin: string;
}

export interface EscapeAttempt {
  id: string;
  title: string;
  /** the body of `async probe(payload, context)`; runs after the prelude */
  body?: (ctx: EscapeContext) => string;
  /** a whole module after the prelude, for attempts the loader itself must stop */
  module?: (ctx: EscapeContext) => string;
  capabilities?: (ctx: EscapeContext) => SandboxCapabilities;
  /** the load must fail, with a message matching this */
  refusedAtLoad?: RegExp;
  /** endow a worker-built capability object as the global `counter` (as the store client is endowed) */
  hostCounter?: boolean;
  /** a second plugin's probe body, run after this one in the same worker, looking for what the first left */
  follower?: (ctx: EscapeContext) => string;
}

/** Turns anything process-like into the four host-side effects the tests look for. */
export function prelude(ctx: EscapeContext): string {
  return `
const MARKER = ${JSON.stringify(ctx.marker)};
const SECRET = ${JSON.stringify(ctx.secretName)};
const PORT = ${ctx.loopbackPort};
function use(power) {
  let proc;
  try { proc = power && (typeof power.getBuiltinModule === 'function' ? power : power.process); } catch { proc = undefined; }
  if (!proc || typeof proc.getBuiltinModule !== 'function') return 'blocked: nothing process-like';
  const done = [];
  try { done.push('env=' + proc.env[SECRET]); } catch {}
  try { proc.getBuiltinModule('node:fs').writeFileSync(MARKER, 'escaped'); done.push('file'); } catch {}
  try { proc.getBuiltinModule('node:net').connect(PORT, '127.0.0.1').on('error', () => {}); done.push('socket'); } catch {}
  try { proc.getBuiltinModule('node:child_process').execFileSync('touch', [MARKER + '.spawn']); done.push('spawn'); } catch {}
  return 'ESCAPED ' + done.join(' ');
}
const attempt = (f) => { try { return f(); } catch (e) { return 'blocked: ' + (e && e.message); } };
`;
}

export function attemptSource(a: EscapeAttempt, ctx: EscapeContext): string {
  if (a.module) return prelude(ctx) + a.module(ctx);
  return `${prelude(ctx)}\nexport default { async probe(payload, context) {\n${a.body!(ctx)}\n} };\n`;
}

const ctorChain = (expr: string) => `return attempt(() => use(${expr}('return globalThis')()));`;

export const AMBIENT_ATTEMPTS: EscapeAttempt[] = [
  { id: 'process-global', title: 'use the global process', body: () => `return use(typeof process === 'undefined' ? undefined : process);` },
  { id: 'globalthis-process', title: 'globalThis.process', body: () => `return use(globalThis);` },
  { id: 'require', title: 'require("node:process")', body: () => `return typeof require === 'function' ? use(require('node:process')) : 'blocked: no require';` },
  { id: 'module-load', title: 'module.constructor._load', body: () => `return typeof module === 'object' ? use(module.constructor._load('process')) : 'blocked: no module';` },
  { id: 'function-global', title: 'Function("return globalThis")', body: () => `return attempt(() => use(Function('return globalThis')()));` },
  { id: 'sloppy-this', title: 'sloppy-mode this from an evaluated function', body: () => `return attempt(() => use((0, eval)('(function () { return this; })')()));` },
  { id: 'indirect-eval', title: 'indirect eval of globalThis', body: () => `return attempt(() => use((0, eval)('globalThis')));` },
  { id: 'fn-ctor', title: 'function constructor chain', body: () => ctorChain('(function () {}).constructor') },
  { id: 'async-ctor', title: 'async function constructor', body: () => ctorChain('(async function () {}).constructor') },
  { id: 'generator-ctor', title: 'generator function constructor', body: () => ctorChain('(function* () {}).constructor') },
  { id: 'async-generator-ctor', title: 'async generator function constructor', body: () => ctorChain('(async function* () {}).constructor') },
  { id: 'console-ctor', title: 'console.log.constructor.constructor', body: () => ctorChain('console.log.constructor.constructor') },
  { id: 'payload-ctor', title: 'the payload object (worker realm) up to Function', body: () => ctorChain('payload.constructor.constructor') },
  { id: 'context-ctor', title: 'the context object (worker realm) up to Function', body: () => ctorChain('Object.getPrototypeOf(context).constructor.constructor') },
  { id: 'harden-ctor', title: 'the harden function up to Function', body: () => ctorChain('harden.constructor') },
  { id: 'compartment-ctor', title: 'the Compartment constructor up to Function', body: () => ctorChain('Compartment.constructor') },
  {
    id: 'child-compartment-globals', title: 'a child compartment with everything it can get',
    body: () => `return attempt(() => use(new Compartment({ __options__: true, globals: {} }).globalThis));`,
  },
  {
    id: 'child-compartment-builtin', title: 'a child compartment aliasing node:fs as a module',
    body: () => `const c = new Compartment({ __options__: true, modules: { fs: { namespace: 'node:fs' } } });
      return attempt(() => { const fs = c.importNow('fs'); fs.writeFileSync(MARKER, 'x'); return 'ESCAPED file'; });`,
  },
  {
    id: 'child-compartment-import-hook', title: 'a child compartment whose importHook redirects to node:process',
    body: () => `const c = new Compartment({ __options__: true, resolveHook: (s) => s,
        importHook: async () => ({ namespace: 'node:process' }), importNowHook: () => ({ namespace: 'node:process' }) });
      try { return use((await c.import('p')).namespace.default); } catch (e) { return 'blocked: ' + e.message; }`,
  },
  {
    id: 'eval-built-import', title: 'dynamic import assembled at run time and evaluated',
    body: () => `try { const fs = await (0, eval)('imp' + 'ort("node:fs")'); fs.writeFileSync(MARKER, 'x'); return 'ESCAPED file'; }
      catch (e) { return 'blocked: ' + e.message; }`,
  },
  {
    id: 'function-built-import', title: 'dynamic import assembled inside new Function',
    body: () => `try { const p = await Function('return imp' + 'ort("node:process")')(); return use(p.default); }
      catch (e) { return 'blocked: ' + e.message; }`,
  },
  { id: 'lockdown-again', title: 'call lockdown() again to undo taming', body: () => `return attempt(() => { lockdown({ evalTaming: 'unsafe-eval' }); return use(globalThis); });` },
  {
    id: 'wasm-atomics', title: 'WebAssembly, SharedArrayBuffer, Atomics',
    body: () => `return [typeof WebAssembly, typeof SharedArrayBuffer, typeof Atomics].every((t) => t === 'undefined') ? 'blocked: absent' : 'ESCAPED present';`,
  },
  {
    id: 'deferred-work', title: 'timers and microtask APIs to act after the hook returned',
    body: () => `return [typeof setTimeout, typeof setImmediate, typeof queueMicrotask, typeof MessageChannel].every((t) => t === 'undefined') ? 'blocked: absent' : 'ESCAPED present';`,
  },
  {
    id: 'import-meta', title: 'import.meta as a source of host paths or objects',
    body: () => `const keys = Object.keys(import.meta); return keys.length === 0 ? 'blocked: empty' : 'ESCAPED ' + keys.join();`,
  },
];

export const STACK_ATTEMPTS: EscapeAttempt[] = [
  {
    id: 'prepare-stack-frames', title: 'Error.prepareStackTrace to get call-site receivers of an endowment',
    capabilities: (ctx) => ({ fetch: [ctx.grantedOrigin] }),
    body: () => `Error.prepareStackTrace = (e, frames) => frames;
      let frames; try { await fetch(42); } catch (e) { frames = e.stack; }
      try { null.x; } catch (e) { frames = Array.isArray(frames) ? frames : e.stack; }
      if (!Array.isArray(frames)) return 'blocked: no frames';
      return use(frames.map((f) => f.getThis && f.getThis()).find((t) => t && t.process));`,
  },
  {
    id: 'capture-stack', title: 'Error.captureStackTrace to read host file paths',
    body: () => `const o = {}; attempt(() => Error.captureStackTrace(o)); return 'stack:' + String(o.stack);`,
  },
  {
    id: 'endowment-error-stack', title: "the stack of an endowment's error",
    capabilities: (ctx) => ({ fetch: [ctx.grantedOrigin] }),
    body: () => `try { await fetch('not a url'); } catch (e) { return 'stack:' + e.stack + ' cause:' + String(e.cause); } return 'no error';`,
  },
  {
    id: 'endowment-error-ctor', title: "an endowment's error up to Function",
    capabilities: (ctx) => ({ fetch: [ctx.grantedOrigin] }),
    body: () => `let err; try { await fetch(42); } catch (e) { err = e; } ${ctorChain('err.constructor.constructor')}`,
  },
];

export const SOURCE_ATTEMPTS: EscapeAttempt[] = [
  { id: 'static-import', title: 'a static import of node:fs', module: () => `import fs from 'node:fs';\nfs.writeFileSync(MARKER, 'x');\nexport default {};`, refusedAtLoad: /'node:fs'/ },
  { id: 're-export', title: 'export * from node:child_process', module: () => `export * from 'node:child_process';\nexport default {};`, refusedAtLoad: /'node:child_process'/ },
  {
    id: 'dynamic-import', title: 'import() in code',
    module: () => `export default { async probe() { const fs = await import('node:fs'); fs.writeFileSync(MARKER, 'x'); } };`,
    refusedAtLoad: /import\(\)/,
  },
  {
    id: 'hidden-import-binding', title: "calling the module shim's hidden import binding by name",
    module: () => `export default { async probe() { return use((await $h\u034f_import('node:process')).default); } };`,
    refusedAtLoad: /Sandboxed plugin/,
  },
  {
    id: 'html-comment', title: 'an HTML-like comment to hide code from the checks',
    module: () => `const x = 1;\n<!${'--'} export default { probe() { return use(globalThis); } };\nexport default {};`,
    refusedAtLoad: /SES refuses|does not parse/,
  },
  {
    id: 'import-line-separator', title: 'import followed by U+2028 before the parenthesis',
    module: () => `export default { async probe() { return import\u2028('node:fs'); } };`,
    refusedAtLoad: /import/,
  },
];
