import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compileSandboxedSource } from '../../src/runtime/compile.js';
import { SandboxHarness, probe } from './harness.js';

describe('loadSandboxedPlugin in a real worker', () => {
  let sandbox: SandboxHarness;
  before(() => {
    sandbox = new SandboxHarness();
  });
  after(() => sandbox.close());

  it('loads a function default export with its config and runs its hooks', async () => {
    const source = `
      export default (config) => ({
        tool_pre_invoke(payload, context) {
          if (payload.name === config.blocked) return { continue_processing: false, violation: { reason: 'Blocked', description: 'no', code: 'DENY' } };
          return { modified_payload: { ...payload, args: { ...payload.args, checked: true } } };
        },
        shutdown() { return 'bye'; },
      });`;
    const loaded = await sandbox.load({ name: 'deny', source, config: { blocked: 'rm' } });
    assert.deepEqual(loaded.value, { hooks: ['tool_pre_invoke'], shutdown: true });
    const allowed = await sandbox.call('deny', 'tool_pre_invoke', { name: 'ls', args: { a: 1 } });
    assert.deepEqual(allowed.value, { modified_payload: { name: 'ls', args: { a: 1, checked: true } } });
    const blocked = await sandbox.call('deny', 'tool_pre_invoke', { name: 'rm', args: {} });
    assert.equal((blocked.value as { continue_processing: boolean }).continue_processing, false);
    assert.equal((await sandbox.send({ op: 'shutdown', name: 'deny' })).value, 'bye');
  });

  it('accepts an async factory, a plain object and a class instance (methods keep their this)', async () => {
    const asyncFactory = await sandbox.load({ name: 'async', source: `export default async (c) => ({ h() { return c.n; } });`, config: { n: 7 } });
    assert.ok(asyncFactory.ok, asyncFactory.error);
    assert.equal((await sandbox.call('async', 'h')).value, 7);
    const instance = await sandbox.load({
      name: 'klass',
      source: `class P { constructor() { this.count = 0; } h() { this.count += 1; return this.count; } }\nexport default new P();`,
    });
    assert.deepEqual(instance.value, { hooks: ['h'], shutdown: false });
    await sandbox.call('klass', 'h');
    assert.equal((await sandbox.call('klass', 'h')).value, 2);
  });

  it('takes precompiled text from the host', async () => {
    const source = `export default { h(p) { return p.x * 2; } };`;
    const compiled = compileSandboxedSource(source, { name: 'pre', specifier: 'pre.js' });
    // the source is deliberately wrong, so only the compiled text can make this pass
    assert.ok((await sandbox.load({ name: 'pre', source: 'not javascript', compiled })).ok);
    assert.equal((await sandbox.call('pre', 'h', { x: 21 })).value, 42);
  });

  it('rejects an import at load time, naming the plugin and the specifier', async () => {
    const outcome = await sandbox.load({ name: 'importer', source: `import { readFileSync } from 'node:fs';\nexport default {};` });
    assert.equal(outcome.ok, false);
    assert.match(outcome.error!, /importer/);
    assert.match(outcome.error!, /'node:fs'/);
  });

  it('rejects precompiled text that still imports (the worker does not trust the compiler)', async () => {
    const forged = JSON.stringify({ ...JSON.parse(compileSandboxedSource('export default {};', { name: 'x', specifier: 'x' })), imports: ['node:fs'] });
    const outcome = await sandbox.load({ name: 'forged', source: '', compiled: forged });
    assert.equal(outcome.ok, false);
    assert.match(outcome.error!, /forged.*'node:fs'/);
  });

  it('gives the helpful message for text SES refuses', async () => {
    const outcome = await sandbox.load({ name: 'html', source: `const s = "<!-- x";\nexport default {};` });
    assert.equal(outcome.ok, false);
    assert.match(outcome.error!, /html .*line 1.*even inside a string or comment/);
  });

  it('names the plugin when its top level throws or its default export is unusable', async () => {
    const thrower = await sandbox.load({ name: 'thrower', source: `throw new RangeError('bad start');\nexport default {};` });
    assert.match(thrower.error!, /thrower .*failed while loading: RangeError: bad start/);
    const factory = await sandbox.load({ name: 'factory', source: `export default async () => { throw new Error('no config'); };` });
    assert.match(factory.error!, /factory .*no config/);
    const getter = await sandbox.load({ name: 'getter', source: `export default { get h() { throw new TypeError('trap'); } };` });
    assert.match(getter.error!, /getter .*failed while loading: TypeError: trap/);
    const numeric = await sandbox.load({ name: 'numeric', source: `export default 42;` });
    assert.match(numeric.error!, /numeric .*default export must be a hooks object/);
  });

  it('offers only safe language globals when nothing is granted, and stubs that say what to grant', async () => {
    const outcome = await probe(sandbox, 'bare', `
      const names = ['process', 'require', 'module', 'Buffer', 'fetch', 'env', 'performance', 'crypto', 'setTimeout',
        'setInterval', 'queueMicrotask', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'XMLHttpRequest', 'WebSocket'];
      const present = names.filter((n) => typeof globalThis[n] !== 'undefined');
      const tries = {};
      for (const [k, f] of Object.entries({ now: () => Date.now(), newDate: () => new Date(), random: () => Math.random(),
        fnCtor: () => (function () {}).constructor('return process')(), asyncCtor: () => (async () => {}).constructor('return 1') })) {
        try { tries[k] = 'ran: ' + String(f()); } catch (e) { tries[k] = 'threw'; }
      }
      const stubs = {};
      for (const [k, f] of Object.entries({ fetch: () => fetch('https://x.test'), performance: () => performance.now(), crypto: () => crypto.randomUUID() })) {
        try { f(); stubs[k] = 'ran'; } catch (e) { stubs[k] = e.message.replace(/ to plugin .*/, ''); }
      }
      return { present, stubs, tries, frozen: Object.isFrozen(Object.prototype) && Object.isFrozen(Array.prototype) };`);
    assert.ok(outcome.ok, outcome.error);
    assert.deepEqual(outcome.value, {
      present: ['fetch', 'performance', 'crypto'],
      stubs: {
        fetch: 'fetch is not granted: add capabilities.fetch: [origin]', performance: 'the clock is not granted: add capabilities.clock: true',
        crypto: 'randomness is not granted: add capabilities.random: true',
      },
      tries: { now: 'threw', newDate: 'threw', random: 'threw', fnCtor: 'threw', asyncCtor: 'threw' },
      frozen: true,
    });
  });

  it('keeps plugins of one worker apart: globals, state and the shared prototypes', async () => {
    const writer = await probe(sandbox, 'writer', `
      globalThis.secret = 'from writer';
      let polluted = false;
      try { Object.prototype.polluted = true; polluted = true; } catch {}
      try { Array.prototype.map = () => 'hijacked'; polluted = true; } catch {}
      return { polluted };`);
    assert.deepEqual(writer.value, { polluted: false });
    const reader = await probe(sandbox, 'reader', `
      return { secret: typeof globalThis.secret, polluted: ({}).polluted === undefined, map: [1].map((x) => x + 1)[0] };`);
    assert.deepEqual(reader.value, { secret: 'undefined', polluted: true, map: 2 });
  });

  it('bounds console output per invocation and tags levels', async () => {
    const source = `export default {
      noisy(p) { for (let i = 0; i < p.n; i++) console.log('line', i); },
      big() { console.warn('x'.repeat(20000)); console.error('after'); },
      forge() { console.info('ok\\n[other-plugin] forged \\u001b[31mred'); console.debug({ a: [1, 2] }, 3n, Symbol('s')); },
    };`;
    assert.ok((await sandbox.load({ name: 'noisy', source })).ok);
    const first = await sandbox.call('noisy', 'noisy', { n: 200 });
    assert.equal(first.console.length, 51);
    assert.deepEqual(first.console[0], { level: 'info', message: 'line 0' });
    assert.match(first.console[50]!.message, /further console output dropped/);
    // the next invocation has a budget of its own, and exactly filling it drops nothing
    assert.equal((await sandbox.call('noisy', 'noisy', { n: 3 })).console.length, 3);
    assert.equal((await sandbox.call('noisy', 'noisy', { n: 50 })).console.length, 50);
    const big = await sandbox.call('noisy', 'big');
    assert.equal(big.console.length, 2);
    assert.equal(big.console[0]!.level, 'warn');
    assert.ok(Buffer.byteLength(big.console[0]!.message) <= 8 * 1024);
    assert.match(big.console[1]!.message, /dropped/);
    const forged = await sandbox.call('noisy', 'forge');
    assert.equal(forged.console[0]!.message, 'ok\\n[other-plugin] forged \\u001b[31mred');
    assert.deepEqual(forged.console[1], { level: 'debug', message: '{"a":[1,2]} 3n Symbol(s)' });
  });

  it('lets the console limits be lowered per plugin', async () => {
    const loaded = await sandbox.load({
      name: 'quiet',
      source: `export default { h() { for (let i = 0; i < 10; i++) console.log(i); } };`,
      limits: { console: { maxLines: 2 } },
    });
    assert.ok(loaded.ok, loaded.error);
    assert.equal((await sandbox.call('quiet', 'h')).console.length, 3);
  });
});
