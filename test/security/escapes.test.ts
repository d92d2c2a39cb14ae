/**
 * Escape attempts by sandboxed plugins, run through `new PluginManager(config)` with real config objects, a real
 * pool and plugin files in a temp dir. Each attempt is checked on the host (canary file, spawned process, loopback
 * connection, host stdout, host intrinsics, the env secret, plain result objects) and by what the plugin reports.
 * Controls first show that each detector fires for plugins that are not sandboxed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PluginError, PluginManager, type ConfigInput } from '../../src/index.js';
import { AMBIENT_ATTEMPTS, SOURCE_ATTEMPTS, STACK_ATTEMPTS } from '../sandbox/escape-attempts.js';
import { ENDOWMENT_ATTEMPTS, NEIGHBOUR_ATTEMPTS, PROTOTYPE_ATTEMPTS } from '../sandbox/escape-attempts-endowments.js';
import { CHAIN_ATTEMPTS } from './attempts-chain.js';
import { LIFETIME_ATTEMPTS, RUNAWAY_ATTEMPTS, VICTIM, lateConsoleVictim, slowVictim } from './attempts-lifetime.js';
import { RESULT_ATTEMPTS } from './attempts-results.js';
import { GRANT_ATTEMPTS, LEFTOVER_VICTIM } from './attempts-grants.js';
import { REACH_ATTEMPTS } from './attempts-reach.js';
import { SHAPE_ATTEMPTS } from './attempts-shapes.js';
import { LIMIT_ATTEMPTS } from './attempts-limits.js';
import { assertContained, assertNoEffects, openGroup, type Group } from './escape-group.js';
import { bodyModule, entriesFor, fromBoundarySuite, writePlugin, type Observation } from './escape-modules.js';
import { effects, hostSnapshot, impurities, openWorld, secretLeaks, type HostSnapshot, type World } from './escape-world.js';

/** The boundary suite's attempts (its worker-built `counter` object is the store here: see store-object). */
const BOUNDARY = fromBoundarySuite([...AMBIENT_ATTEMPTS, ...STACK_ATTEMPTS, ...ENDOWMENT_ATTEMPTS.filter((a) => !a.hostCounter),
  ...PROTOTYPE_ATTEMPTS, ...NEIGHBOUR_ATTEMPTS]);
const REFUSED = fromBoundarySuite(SOURCE_ATTEMPTS);
const MAIN = [...BOUNDARY, ...RESULT_ATTEMPTS, ...CHAIN_ATTEMPTS, ...LIFETIME_ATTEMPTS, ...GRANT_ATTEMPTS, ...REACH_ATTEMPTS, ...SHAPE_ATTEMPTS, ...LIMIT_ATTEMPTS];
/** what a stop and its recovery may add to a timeout on a busy 2-core machine (a worker boot included) */
const RECOVERY_MS = 3000;

let world: World;
let hostBefore: HostSnapshot;

before(async () => {
  world = await openWorld();
  hostBefore = hostSnapshot();
});
after(() => world.close());

const write = (name: string, text: string) => writePlugin(world, name, text);

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(condition(), `never happened: ${what}`);
}

describe('controls: every detector fires for a plugin that is not sandboxed', () => {
  let manager: PluginManager;
  const invoke = async (name: string) => (await manager.invokeHook('tool_pre_invoke', { name, args: {} }, { request_id: name })).result;

  before(async () => {
    const use = (name: string) => write(name, bodyModule(world, name, 'return use(globalThis);'));
    const granted = `let f; try { await fetch('http://127.0.0.1:' + PORT + '/'); f = 'fetched'; } catch (e) { f = 'connected, then ' + e.message; }
      return 'granted env ' + env[SECRET] + ' / ' + f;`;
    const entry = (name: string, kind: string, extra: Record<string, unknown>) => ({ name, kind, hooks: ['tool_pre_invoke'], conditions: [{ tools: [name] }], ...extra });
    manager = new PluginManager({
      plugin_settings: { threads: 1 },
      plugins: [
        entry('control-worker', use('control-worker'), { isolation: 'worker' }),
        entry('control-inline', use('control-inline'), { isolation: 'inline' }),
        entry('control-granted', write('control-granted', bodyModule(world, 'control-granted', granted)),
          { capabilities: { env: [world.secretName], fetch: [`http://127.0.0.1:${world.loopbackPort}`] } }),
      ],
    });
    await manager.initialize();
  });
  after(() => manager.shutdown());

  it('a worker-isolated plugin (full Node access, empty env) writes, spawns, connects and prints', async () => {
    try {
      const result = await invoke('control-worker');
      assert.equal(result.metadata['control-worker'], 'ESCAPED env=undefined file socket spawn stdout proto');
      await waitFor(() => world.connections() > 0 && world.stdioHits() > 0, 'the connection and the stdout write');
      assert.deepEqual(effects(world, hostBefore).sort(), ['a file was written', 'a loopback socket was opened (1)', 'a process was spawned',
        "plugin output reached the host's stdout/stderr"], "its own realm's Object.prototype is not the host's");
    } finally {
      world.reset();
    }
  });

  it('an inline plugin (on the host) also reads the env secret and pollutes the host Object.prototype', async () => {
    try {
      const result = await invoke('control-inline');
      assert.equal(result.metadata['control-inline'], `ESCAPED env=${world.secret} file socket spawn stdout proto`);
      assert.deepEqual(secretLeaks(world, { result, other: 'nothing' }), ['the env secret is in result']);
      await waitFor(() => world.connections() > 0, 'the connection');
      const found = effects(world, hostBefore);
      for (const e of ['a file was written', 'a process was spawned', 'host Object.prototype polluted', 'host Object.prototype changed']) assert.ok(found.includes(e), e);
    } finally {
      world.reset();
    }
    assert.deepEqual(effects(world, hostBefore), [], 'reset() undoes the control');
  });

  it('a sandboxed plugin granted the secret and the loopback origin is seen reading and connecting', async () => {
    try {
      const result = await invoke('control-granted');
      assert.match(String(result.metadata['control-granted']), new RegExp(`^granted env ${world.secret} / `));
      assert.deepEqual(secretLeaks(world, { result }), ['the env secret is in result']);
      await waitFor(() => world.connections() > 0, 'the granted connection');
    } finally {
      world.reset();
    }
  });

  it('the plain-data detector finds foreign prototypes, accessors, functions, symbols and __proto__ keys', () => {
    const crafted = { a: Object.create({ inherited: 1 }), b: { get x() { return 1; } }, c: () => 1, d: JSON.parse('{"__proto__": {}}'), [Symbol('s')]: 1 };
    assert.deepEqual(impurities(crafted).sort(), ['$ has a symbol key', '$.a has a foreign prototype', '$.b.x is an accessor', '$.c is a function',
      '$.d has an own __proto__ key']);
  });
});

describe('refused at load: initialize() fails naming the plugin, and nothing runs', () => {
  for (const a of REFUSED) {
    it(`${a.id}: ${a.title}`, async () => {
      const manager = new PluginManager({ plugins: entriesFor(a, world) as ConfigInput['plugins'] });
      await assert.rejects(manager.initialize(), (err: Error) => {
        assert.ok(err instanceof PluginError, err.message);
        assert.match(err.message, a.refusedAtLoad!);
        assert.match(err.message, new RegExp(`Plugin ${a.id} failed to load`));
        return true;
      });
      assert.equal(manager.initialized, false);
      await manager.shutdown();
      assert.deepEqual(effects(world, hostBefore), []);
    });
  }
});

describe('escape attempts by sandboxed plugins, one manager, one worker', () => {
  let group: Group;
  let baseline: string;

  before(async () => {
    const victim = { name: 'late-console-victim', kind: write('late-console-victim', lateConsoleVictim(world.grantedOrigin)),
      hooks: ['tool_pre_invoke'], conditions: [{ tools: ['late-console-victim'] }], capabilities: { fetch: [world.grantedOrigin] } };
    const leftovers = { name: 'victim-of-leftovers', kind: write('victim-of-leftovers', LEFTOVER_VICTIM), hooks: ['tool_pre_invoke'],
      conditions: [{ tools: ['victim-of-leftovers'] }] };
    group = await openGroup(world, MAIN, { plugin_timeout: 5, max_result_bytes: 200_000 }, [victim, leftovers]);
    baseline = await group.fingerprint();
  });

  it(`holds ${MAIN.length + REFUSED.length + RUNAWAY_ATTEMPTS.length} distinct attempts`, () => {
    const ids = [...MAIN, ...REFUSED, ...RUNAWAY_ATTEMPTS].map((a) => a.id);
    assert.ok(ids.length >= 45);
    assert.equal(new Set(ids).size, ids.length);
  });

  for (const a of MAIN) {
    it(`${a.id}: ${a.title}`, async () => {
      const seen = await group.invoke(a.id, a.payload?.(world));
      assertContained(a, seen, world, hostBefore);
      await a.verify?.(seen, group);
      assert.equal(await group.fingerprint(), baseline, "the worker's shared intrinsics changed");
    });
  }

  it('shutdown-use: the plugin shutdown hooks run confined, and their reports reach only the logger', async () => {
    await group.close();
    const lines = group.logLines();
    assert.ok(lines.some((l) => l.includes('shutdown report: blocked: nothing process-like')), lines.slice(-5).join('\n'));
    assert.deepEqual(secretLeaks(world, { 'logger output': lines }), []);
    assert.deepEqual(effects(world, hostBefore), []);
  });

  it('no late effect: no connection, file or output shows up after the last attempt', async () => {
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.deepEqual(effects(world, hostBefore), []);
  });
});

describe('runaway and stray work under sandbox isolation: stopped, settled, and the next call works', () => {
  let group: Group;
  /** the group's plugin_timeout, which stops the runaways; victims and plugins that return at once have 5 s */
  const timeoutMs = 500;
  const patientMs = 5000;
  const byId = (id: string) => RUNAWAY_ATTEMPTS.find((a) => a.id === id)!;
  const observed: Record<string, Observation> = {};
  const victimWorks = async () => {
    const next = await group.invoke('victim');
    assert.equal(next.error, undefined, `the next call failed: ${(next.error as Error)?.message}`);
    assert.equal(next.reports.victim, 'ok');
  };

  before(async () => {
    const victims = [
      { name: 'victim', kind: write('victim', VICTIM), hooks: ['tool_pre_invoke'], conditions: [{ tools: ['victim'] }], timeout: patientMs / 1000 },
      { name: 'slow-victim', kind: write('slow-victim', slowVictim(world.grantedOrigin)), hooks: ['tool_pre_invoke'],
        conditions: [{ tools: ['slow-victim'] }], capabilities: { fetch: [world.grantedOrigin] }, timeout: patientMs / 1000 },
    ];
    group = await openGroup(world, RUNAWAY_ATTEMPTS, { plugin_timeout: timeoutMs / 1000 }, victims);
  });
  after(() => group.close());

  for (const id of ['busy-loop', 'catastrophic-regex']) {
    it(`${id}: stopped at plugin_timeout, the next call succeeds`, async () => {
      const seen = await group.invoke(id);
      assertContained(byId(id), seen, world, hostBefore);
      assert.ok(seen.ms < timeoutMs + RECOVERY_MS, `settled after ${seen.ms} ms`);
      await victimWorks();
    });
  }

  it('microtask-storm: charged to its author (the run waits for the work a plugin left queued), then the pool works', async () => {
    const a = byId('microtask-storm');
    const own = await group.invoke(a.id);
    assertNoEffects(a.id, own, world, hostBefore);
    assert.ok(own.error instanceof PluginError, 'the storm went unnoticed');
    assert.equal(own.error.error.plugin_name, a.id);
    assert.match(String(own.error.error.code), /^(PLUGIN_TIMEOUT|OUT_OF_MEMORY)$/);
    // what the code guarantees is the storm's own timeout (patient: it returns at once), whichever of the timeout
    // and the memory watchdog stops it first
    assert.ok(own.ms < patientMs + RECOVERY_MS, `settled after ${own.ms} ms`);
    await victimWorks();
  });

  it('unhandled-rejection: the stray rejection is dropped, every call settles', async () => {
    const a = byId('unhandled-rejection');
    const own = await group.invoke(a.id);
    assertNoEffects(a.id, own, world, hostBefore);
    assert.equal(own.error, undefined, `the plugin's own call failed: ${(own.error as Error)?.message}`);
    const next = await group.invoke('victim');
    assertNoEffects(a.id, next, world, hostBefore);
    assert.ok(next.ms < patientMs + RECOVERY_MS, `settled after ${next.ms} ms`);
    await victimWorks();
  });

  it('delayed-rejection: fired while a neighbour runs, it is dropped; every call settles', async () => {
    const a = byId('delayed-rejection');
    assertContained(a, await group.invoke(a.id, { args: { ms: 100, pad: 0 } }), world, hostBefore);
    observed.killed = await group.invoke('slow-victim');
    assertNoEffects(a.id, observed.killed, world, hostBefore);
    assert.ok(observed.killed.ms < patientMs + RECOVERY_MS, `settled after ${observed.killed.ms} ms`);
    await victimWorks();
  });

  it('delayed-rejection is not charged to the neighbour it killed, nor its message forged into the neighbour\'s error',
    () => {
      assert.ok(observed.killed, 'the scenario did not run');
      assert.equal(observed.killed.error, undefined, `an innocent plugin failed: ${(observed.killed.error as Error)?.message}`);
    });

  it('delayed-rejection on an idle worker: dropped, with its 100 kB forged message nowhere in the log', async () => {
    const a = byId('delayed-rejection');
    const from = group.logLines().length;
    assertContained(a, await group.invoke(a.id, { args: { ms: 50, pad: 100_000 } }), world, hostBefore);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await victimWorks();
    assert.ok(!group.logLines().slice(from).some((l) => l.includes('stray rejection')), 'the stray message reached the log');
  });


  it('deferred-busy-loop: stopped at its own timeout, the next call succeeds', async () => {
    const a = byId('deferred-busy-loop');
    observed.deferred = await group.invoke(a.id);
    assertNoEffects(a.id, observed.deferred, world, hostBefore);
    // the attempt runs with a patient 5 s timeout, so that blaming its 0.5 s neighbour would show
    assert.ok(observed.deferred.ms < patientMs + RECOVERY_MS, `settled after ${observed.deferred.ms} ms`);
    await victimWorks();
  });

  it('deferred-busy-loop is charged to its author, not to the neighbour that ran next', () => {
      const seen = observed.deferred!;
      assert.ok(seen.error instanceof PluginError, 'the runaway was not reported at all');
      assert.equal(seen.error.error.plugin_name, 'deferred-busy-loop', seen.error.message);
    });
});
