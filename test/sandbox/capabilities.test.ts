import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SandboxHarness, probe } from './harness.js';

describe('env, clock and random capabilities', () => {
  let sandbox: SandboxHarness;
  before(() => {
    sandbox = new SandboxHarness();
  });
  after(() => sandbox.close());

  it('env holds exactly the granted names, frozen', async () => {
    const outcome = await probe(sandbox, 'env-granted', `
      let assigned;
      try { env.API_KEY = 'changed'; assigned = 'yes'; } catch { assigned = 'threw'; }
      let added;
      try { env.EXTRA = 'x'; added = 'yes'; } catch { added = 'threw'; }
      return { keys: Object.keys(env).sort(), key: env.API_KEY, frozen: Object.isFrozen(env), assigned, added };`, {
      capabilities: { env: ['API_KEY', 'REGION', 'UNSET'] },
      // OTHER_SECRET was resolved by mistake: it is not granted, so it must not appear
      envValues: { API_KEY: 'k-123', REGION: 'eu', OTHER_SECRET: 's3cret' },
    });
    assert.ok(outcome.ok, outcome.error);
    assert.deepEqual(outcome.value, { keys: ['API_KEY', 'REGION'], key: 'k-123', frozen: true, assigned: 'threw', added: 'threw' });
  });

  it('env is absent without a grant, and the host environment is out of reach', async () => {
    const outcome = await probe(sandbox, 'env-none', `
      return { env: typeof env, process: typeof process, viaGlobal: typeof globalThis.process };`,
    { envValues: { API_KEY: 'k-123' } });
    assert.deepEqual(outcome.value, { env: 'undefined', process: 'undefined', viaGlobal: 'undefined' });
  });

  it('clock: Date.now(), new Date() and performance.now() work when granted', async () => {
    const before = Date.now();
    const outcome = await probe(sandbox, 'clock', `
      const t0 = performance.now();
      return { now: Date.now(), date: new Date().getTime(), perf: typeof t0, grows: performance.now() >= t0,
        frozen: Object.isFrozen(performance) && Object.isFrozen(Date) };`, { capabilities: { clock: true } });
    assert.ok(outcome.ok, outcome.error);
    const value = outcome.value as { now: number; date: number; perf: string; grows: boolean; frozen: boolean };
    assert.ok(value.now >= before && value.now <= Date.now(), `Date.now() = ${value.now}`);
    assert.ok(value.date >= before);
    assert.equal(value.perf, 'number');
    assert.equal(value.grows, true);
    assert.equal(value.frozen, true);
  });

  it('clock: without the grant Date.now() throws and performance.now() names the grant', async () => {
    const outcome = await probe(sandbox, 'no-clock', `
      let now; try { Date.now(); now = 'ran'; } catch (e) { now = 'threw'; }
      let perf; try { performance.now(); perf = 'ran'; } catch (e) { perf = e.message; }
      return { now, perf, frozen: Object.isFrozen(performance) && Object.isFrozen(performance.now), fixedDate: new Date(0).toISOString() };`);
    assert.deepEqual(outcome.value, {
      now: 'threw', perf: 'the clock is not granted: add capabilities.clock: true to plugin no-clock', frozen: true, fixedDate: '1970-01-01T00:00:00.000Z',
    });
  });

  it('random: Math.random(), crypto.getRandomValues() and randomUUID() work when granted', async () => {
    const outcome = await probe(sandbox, 'random', `
      const r = Math.random();
      const bytes = crypto.getRandomValues(new Uint8Array(64));
      const words = crypto.getRandomValues(new Uint32Array(4));
      return { inRange: r >= 0 && r < 1, nonZero: bytes.some((b) => b !== 0), words: words.some((w) => w !== 0),
        uuid: /^[0-9a-f-]{36}$/.test(crypto.randomUUID()), frozen: Object.isFrozen(crypto) };`, { capabilities: { random: true } });
    assert.ok(outcome.ok, outcome.error);
    assert.deepEqual(outcome.value, { inRange: true, nonZero: true, words: true, uuid: true, frozen: true });
  });

  it('random: getRandomValues refuses non-integer arrays, oversized requests and faked lengths', async () => {
    const outcome = await probe(sandbox, 'random-edges', `
      const attempt = (f) => { try { f(); return 'ran'; } catch (e) { return e.name; } };
      const small = new Uint8Array(4);
      Object.defineProperty(small, 'byteLength', { value: 1e9 });
      crypto.getRandomValues(small);
      return {
        plainObject: attempt(() => crypto.getRandomValues({ length: 8 })),
        dataView: attempt(() => crypto.getRandomValues(new DataView(new ArrayBuffer(8)))),
        tooBig: attempt(() => crypto.getRandomValues(new Uint8Array(65537))),
        proxied: attempt(() => crypto.getRandomValues(new Proxy(new Uint8Array(8), {}))),
        fakedLength: small.length,
      };`, { capabilities: { random: true } });
    assert.ok(outcome.ok, outcome.error);
    assert.deepEqual(outcome.value, { plainObject: 'TypeError', dataView: 'TypeError', tooBig: 'RangeError', proxied: 'TypeError', fakedLength: 4 });
  });

  it('random: without the grant Math.random() throws and crypto is absent', async () => {
    const outcome = await probe(sandbox, 'no-random', `
      let random; try { Math.random(); random = 'ran'; } catch { random = 'threw'; }
      let uuid; try { crypto.randomUUID(); uuid = 'ran'; } catch (e) { uuid = e.message; }
      return { random, uuid, frozen: Object.isFrozen(crypto), floor: Math.floor(2.5) };`);
    assert.deepEqual(outcome.value, {
      random: 'threw', uuid: 'randomness is not granted: add capabilities.random: true to plugin no-random', frozen: true, floor: 2,
    });
  });

  it('a grant to one plugin is not visible to another in the same worker', async () => {
    await probe(sandbox, 'granted', 'return 1;', { capabilities: { clock: true, random: true, env: ['K'] }, envValues: { K: 'v' } });
    const outcome = await probe(sandbox, 'ungranted', `
      let now; try { Date.now(); now = 'ran'; } catch { now = 'threw'; }
      let uuid; try { crypto.randomUUID(); uuid = 'ran'; } catch { uuid = 'threw'; }
      return { now, env: typeof env, uuid };`);
    assert.deepEqual(outcome.value, { now: 'threw', env: 'undefined', uuid: 'threw' });
  });

  it("a caller's host object arrives as hardened wrappers of its functions only", async () => {
    const loaded = await sandbox.load({ name: 'store-user', source: `export default { probe() {
      const first = counter.next();
      let ctor; try { counter.next.constructor('return 1')(); ctor = 'ran'; } catch { ctor = 'threw'; }
      return { first, second: counter.next(), keys: Object.keys(counter), frozen: Object.isFrozen(counter), ctor };
    } };` }, 'counter');
    assert.ok(loaded.ok, loaded.error);
    assert.deepEqual((await sandbox.call('store-user', 'probe')).value, { first: 1, second: 2, keys: ['next'], frozen: true, ctor: 'threw' });
    const clash = await sandbox.load({ name: 'clash', source: 'export default {};', capabilities: { clock: true } }, 'Date');
    assert.match(clash.error!, /clash.*may not replace the global 'Date'/);
  });
});
