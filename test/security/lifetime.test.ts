/**
 * Class 3 of issue 11: a plugin's capabilities live only as long as its invocation, memory is watched whenever a
 * worker or child exists, and work a plugin starts is charged to it, never to the plugin that runs next.
 * Through the public API: real config, real worker threads and child processes, a real loopback server.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MemoryStore, PluginManager, type ConfigInput } from '../../src/index.js';
import { captureLogger } from '../helpers.js';
import { asyncHook, gatedEntry } from './plugin-files.js';

const entry = gatedEntry;
const hook = asyncHook;
const done = (name: string) => `return { metadata: { '${name}': 'returned' } };`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The manager's store, counting what reaches it. */
class CountingStore extends MemoryStore {
  ops = 0;
  override async incr(key: string, ttlMs: number, by?: number) {
    this.ops++;
    return super.incr(key, ttlMs, by);
  }
  override async get(key: string) {
    this.ops++;
    return super.get(key);
  }
}

let server: Server;
let origin: string;
const hits = { loop: 0 };

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/loop') hits.loop++;
    if (url.pathname === '/slow') return void setTimeout(() => res.end('slow-done'), Number(url.searchParams.get('ms') ?? 0));
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise((resolve) => server.close(resolve)));

async function invoke(manager: PluginManager, tool: string, args: Record<string, unknown> = {}) {
  const start = performance.now();
  try {
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: tool, args }, { request_id: tool });
    return { metadata: result.metadata, ms: performance.now() - start };
  } catch (error) {
    return { error: error as Error, ms: performance.now() - start };
  }
}

describe('grants end with the invocation (sandbox threads and process children)', () => {
  const store = new CountingStore();
  let manager: PluginManager;

  before(async () => {
    const grants = () => ({ capabilities: { store: true, fetch: [origin] } });
    // loops driven only by grant promises, each step also resumed on failure, so a refusal that rejected would spin
    const loops = (name: string) => hook(`const viaStore = () => store.incr('n', 60000).then(viaStore, viaStore);
      const viaGet = () => store.get('n').catch(() => {}).then(viaGet);
      const viaFetch = () => fetch('${origin}/loop').then(viaFetch, viaFetch);
      viaStore(); viaGet(); viaFetch();
      ${done(name)}`);
    manager = new PluginManager({
      plugin_settings: { threads: 1, processes: 1 },
      plugins: [
        entry('looper', loops('looper'), grants()),
        entry('process-looper', loops('process-looper'), { ...grants(), isolation: 'process' }),
        entry('process-rejecter', hook(`Promise.reject(new Error('stray at return'));
          fetch('${origin}/slow?ms=150').then(() => { throw new Error('stray, later'); });
          ${done('process-rejecter')}`), { capabilities: { fetch: [origin] }, isolation: 'process' }),
        entry('process-neighbour', hook(`await fetch('${origin}/slow?ms=400'); ${done('process-neighbour')}`),
          { capabilities: { fetch: [origin] }, isolation: 'process', on_error: 'disable', timeout: 10 }),
      ] as ConfigInput['plugins'],
    }, { store });
    await manager.initialize();
  });
  after(() => manager.shutdown());

  for (const name of ['looper', 'process-looper']) {
    it(`${name}: store and fetch loops stop when the call settles`, async () => {
      const seen = await invoke(manager, name);
      assert.equal(seen.error, undefined, seen.error?.message);
      assert.equal(seen.metadata![name], 'returned');
      // what was in flight when the call settled may still reach the host; nothing after it
      await sleep(100);
      const ops = store.ops;
      const fetches = hits.loop;
      await sleep(400);
      assert.equal(store.ops - ops, 0, `${store.ops - ops} store requests after the call settled`);
      assert.equal(hits.loop - fetches, 0, `${hits.loop - fetches} fetches after the call settled`);
    });
  }

  it('a stray rejection in a shared process child is dropped: neither its author nor the next plugin fails', async () => {
    const own = await invoke(manager, 'process-rejecter');
    assert.equal(own.error, undefined, `the author's own call failed: ${own.error?.message}`);
    const next = await invoke(manager, 'process-neighbour');
    assert.equal(next.error, undefined, `the neighbour failed: ${next.error?.message}`);
    assert.deepEqual(manager.disabledPlugins, []);
  });
});

describe('work left behind in a worker thread is charged to no one innocent', () => {
  const logger = captureLogger();
  let manager: PluginManager;

  before(async () => {
    manager = new PluginManager({
      plugin_settings: { threads: 1, worker_rss_growth_mb: 128 },
      plugins: [
        // a `worker` plugin has timers: it blocks its thread for 8 s, 20 ms after its call settled
        entry('leaver', hook(`setTimeout(() => { const end = Date.now() + 8000; while (Date.now() < end); }, 20); ${done('leaver')}`),
          { isolation: 'worker' }),
        // it grows memory after its call settled, while no task runs (stopping itself at 1 GB)
        entry('leaker', `const keep = [];
          export default { tool_pre_invoke() {
            const timer = setInterval(() => { keep.push(Buffer.alloc(16 << 20, 1)); if (keep.length >= 64) clearInterval(timer); }, 10);
            ${done('leaker')} } };\n`, { isolation: 'worker' }),
        entry('innocent', hook(done('innocent')), { isolation: 'worker', on_error: 'disable', timeout: 5 }),
      ] as ConfigInput['plugins'],
    }, { logger });
    await manager.initialize();
  });
  after(() => manager.shutdown());

  it('a run its worker never started (busy with an earlier plugin\'s leftover) is sent again: the next plugin is not blamed or disabled', async () => {
    assert.equal((await invoke(manager, 'leaver')).error, undefined);
    await sleep(100);
    const next = await invoke(manager, 'innocent');
    assert.equal(next.error, undefined, `the innocent plugin was blamed: ${next.error?.message}`);
    assert.equal(next.metadata!.innocent, 'returned');
    assert.deepEqual(manager.disabledPlugins, []);
    // stall detection (5 s), then its own timeout on a new worker, and room for a worker boot on a busy machine
    assert.ok(next.ms < 5000 + 5000 + 3000, `settled after ${next.ms} ms`);
    assert.match(logger.text('warn'), /a run did not start/);
  });

  it('memory that grows while no task runs is watched: the idle workers are stopped, and the next call works', async () => {
    const before = process.memoryUsage.rss();
    assert.equal((await invoke(manager, 'leaker')).error, undefined);
    let peak = before;
    // the leaker grows until the watch stops it (or, if nothing did, until it stops itself at 1 GB)
    for (let i = 0; i < 400 && !/while no task ran/.test(logger.text('warn')); i++) {
      await sleep(50);
      peak = Math.max(peak, process.memoryUsage.rss());
    }
    assert.match(logger.text('warn'), /memory grew by \d+ MB while no task ran/);
    // the limit (128 MB), plus what grows between two readings and while the worker stops, with room for a busy machine
    assert.ok(peak - before < 600 * 2 ** 20, `grew by ${Math.round((peak - before) / 2 ** 20)} MB`);
    const next = await invoke(manager, 'innocent');
    assert.equal(next.error, undefined, next.error?.message);
  });
});
