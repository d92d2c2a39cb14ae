/**
 * Class 4 of issue 11: identity comes from the channel, never from the message, and the store is shared fairly.
 * Through the public API: real config, real worker threads and child processes, the manager's own store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PluginManager, type ConfigInput } from '../../src/index.js';
import { DEFAULT_STORE_QUOTA } from '../../src/runtime/store-gate.js';
import { captureLogger } from '../helpers.js';
import { asyncHook, gatedEntry } from './plugin-files.js';

const entry = gatedEntry;
const hook = asyncHook;
const report = (name: string, what: string) => `return { metadata: { '${name}': ${what} } };`;

/** A `worker` plugin that speaks the store protocol itself, on the channel its pool was given, naming anyone. */
const FORGER = `import { workerData } from 'node:worker_threads';
export default { async tool_pre_invoke(payload) {
  const channel = new BroadcastChannel(workerData.storeChannel);
  const ask = (message) => new Promise((resolve) => {
    const id = 'forged-' + Math.random();
    const timer = setTimeout(() => resolve('no answer'), 2000);
    channel.onmessage = (event) => { if (event.data?.id === id) { clearTimeout(timer); resolve(event.data); } };
    channel.postMessage({ kind: 'request', id, ...message });
  });
  const answers = [];
  for (const request of payload.args.requests) answers.push(await ask(request));
  channel.close();
  return { metadata: { forger: JSON.stringify(answers) } };
} };
`;

async function invoke(manager: PluginManager, tool: string, args: Record<string, unknown> = {}) {
  const { result } = await manager.invokeHook('tool_pre_invoke', { name: tool, args }, { request_id: tool });
  return result.metadata;
}

describe('identity comes from the channel: a plugin is only ever the plugin its channel was bound to', () => {
  let manager: PluginManager;
  const logger = captureLogger();

  before(async () => {
    manager = new PluginManager({
      plugin_settings: { threads: 1, processes: 1 },
      plugins: [
        entry('keeper', hook(`if (payload.args.put) await store.set('secret', 'TOP-SECRET-' + payload.args.put);
          ${report('keeper', "await store.get('secret')")}`), { capabilities: { store: true } }),
        entry('process-keeper', hook(`if (payload.args.put) await store.set('secret', 'PROCESS-SECRET');
          ${report('process-keeper', "await store.get('secret')")}`), { capabilities: { store: true }, isolation: 'process' }),
        entry('forger', FORGER, { isolation: 'worker' }),
        entry('inline-keeper', hook(`return { metadata: { 'inline-keeper': 'ok' } };`), { isolation: 'inline' }),
      ] as ConfigInput['plugins'],
    }, { logger });
    await manager.initialize();
    await invoke(manager, 'keeper', { put: 'sandbox' });
    await invoke(manager, 'process-keeper', { put: true });
  });
  after(() => manager.shutdown());

  it('a worker plugin naming a sandbox or process plugin on its own channel is refused, and reads or changes nothing', async () => {
    const requests = [
      { plugin: 'keeper', op: 'get', key: 'secret' },
      { plugin: 'process-keeper', op: 'get', key: 'secret' },
      { plugin: 'keeper', op: 'set', key: 'secret', value: 'overwritten' },
      { plugin: 'inline-keeper', op: 'set', key: 'k', value: 1 },
    ];
    const answers = JSON.parse(String((await invoke(manager, 'forger', { requests })).forger)) as Array<{ error?: string; value?: unknown }>;
    assert.equal(answers.length, 4);
    for (const answer of answers) {
      assert.equal(typeof answer, 'object', `no answer: ${JSON.stringify(answers)}`);
      assert.match(String(answer.error), /does not speak for that plugin/);
      assert.equal(answer.value, undefined);
    }
    assert.doesNotMatch(JSON.stringify(answers), /SECRET/);
    assert.equal((await invoke(manager, 'keeper')).keeper, 'TOP-SECRET-sandbox', 'the sandbox plugin\'s key was changed');
    assert.equal((await invoke(manager, 'process-keeper'))['process-keeper'], 'PROCESS-SECRET');
    assert.ok(logger.text('warn').includes('on a channel not bound to it'), 'the forgery was not logged');
  });

  it('control: on its own channel the worker plugin reaches its own keys (the channel works, only identity is refused)', async () => {
    const requests = [{ plugin: 'forger', op: 'set', key: 'mine', value: 7 }, { plugin: 'forger', op: 'get', key: 'mine' }];
    const answers = JSON.parse(String((await invoke(manager, 'forger', { requests })).forger)) as Array<{ error?: string; value?: unknown }>;
    assert.deepEqual(answers.map((a) => a.value), [null, 7]);
  });
});

describe('per-plugin quotas: one plugin cannot fill the store for the others', () => {
  let manager: PluginManager;

  before(async () => {
    manager = new PluginManager({
      plugin_settings: { threads: 1 },
      plugins: [
        // tries to create 120,000 keys (the in-memory store's global cap is 100,000), 1,000 at a time
        entry('hog', hook(`let stored = 0, refusal = 'none';
          for (let batch = 0; batch < 120 && refusal === 'none'; batch++) {
            const sets = [];
            for (let i = 0; i < 1000; i++) sets.push(store.set('k' + (batch * 1000 + i), 1).then(() => { stored++; }, (e) => { refusal = e.message; }));
            await Promise.all(sets);
          }
          ${report('hog', "stored + ' / ' + refusal")}`), { capabilities: { store: true }, timeout: 60 }),
        entry('counter', hook(`${report('counter', "await store.incr('user-' + payload.args.user, 60000)")}`), { capabilities: { store: true } }),
        entry('values', hook(`const tries = { arraybuffer: new ArrayBuffer(32 * 2 ** 20), map: new Map(Array.from({ length: 100000 }, (_, i) => [i, i])),
            set: new Set(Array.from({ length: 100000 }, (_, i) => i)), instance: new (class Big { constructor() { this.x = 1; } })(), big: 'x'.repeat(70000), plain: { ok: [1, 2, 3] } };
          const seen = {};
          for (const [name, value] of Object.entries(tries)) {
            try { await store.set(name, value); const back = await store.get(name); seen[name] = 'kept ' + JSON.stringify(back).slice(0, 40); }
            catch (e) { seen[name] = 'refused: ' + e.message; }
          }
          ${report('values', 'JSON.stringify(seen)')}`), { capabilities: { store: true }, timeout: 30 }),
      ] as ConfigInput['plugins'],
    });
    await manager.initialize();
  });
  after(() => manager.shutdown());

  it(`a plugin stops at its own quota (${DEFAULT_STORE_QUOTA.keys} keys), and another plugin's counter still works`, async () => {
    const hog = String((await invoke(manager, 'hog')).hog);
    const [stored, refusal] = hog.split(' / ');
    assert.equal(Number(stored), DEFAULT_STORE_QUOTA.keys, hog);
    assert.match(refusal!, /plugin hog is over its quota/);
    assert.equal((await invoke(manager, 'counter', { user: 'a' })).counter, 1);
    assert.equal((await invoke(manager, 'counter', { user: 'a' })).counter, 2);
    assert.equal((await invoke(manager, 'counter', { user: 'b' })).counter, 1, 'a new key of another plugin was refused');
  });

  // refused by the plugin's own store client (a plain copy within the value limit) or, failing that, by the gate
  const NOT_PLAIN = /^refused: .*(plain JSON data|not a plain object)/;
  it('a value is measured as it is kept: an ArrayBuffer, a Map and a Set are refused, not kept as {}', async () => {
    const seen = JSON.parse(String((await invoke(manager, 'values')).values)) as Record<string, string>;
    assert.match(seen.arraybuffer!, NOT_PLAIN);
    assert.match(seen.map!, NOT_PLAIN);
    assert.match(seen.set!, NOT_PLAIN);
    // a class instance crosses to the host by structured cloning, which keeps its own data only: that is what is kept
    assert.match(seen.instance!, NOT_PLAIN, 'a class instance is not plain data either: its worker copies only plain data');
    assert.match(seen.big!, /^refused: .*over the limit of 65536/);
    assert.equal(seen.plain, 'kept {"ok":[1,2,3]}');
  });
});
