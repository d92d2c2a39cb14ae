import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig, PluginManager, RedisStore, StoreUnavailableError } from '../../src/index.js';
import { fixture, runNode } from '../helpers.js';
import { freePort } from '../helpers.js';
import { cleanPrefix, MACHINE_REDIS, testPrefix } from './redis.js';

const rl = (name = 'rl') => ({ name, kind: 'rate_limiter', hooks: ['tool_pre_invoke'], capabilities: { store: true }, config: { by_user: '5/m' } });
const issuesOf = async (store: unknown, plugins = [rl()]) => {
  const err = await loadConfig({ plugin_settings: { store } as never, plugins }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof ConfigError, String(err));
  return err.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('plugin_settings.store: memory by default; redis with defaults filled in', async () => {
  assert.deepEqual((await loadConfig({ plugins: [] })).settings.store, { kind: 'memory' });
  const { settings } = await loadConfig({ plugin_settings: { store: { kind: 'redis' } }, plugins: [] });
  assert.deepEqual(settings.store, { kind: 'redis', url: 'redis://127.0.0.1:6379', key_prefix: 'cordon', connect_timeout_ms: 2000, command_timeout_ms: 500 });
});

test('the store URL takes ${VAR} like every other string', async () => {
  process.env.CORDON_TEST_REDIS_URL = 'redis://:pw@127.0.0.1:6380';
  try {
    const { settings } = await loadConfig({ plugin_settings: { store: { kind: 'redis', url: '${CORDON_TEST_REDIS_URL}' } }, plugins: [] });
    assert.equal(settings.store.kind === 'redis' && settings.store.url, 'redis://:pw@127.0.0.1:6380');
  } finally {
    delete process.env.CORDON_TEST_REDIS_URL;
  }
});

test('a Store passed as the manager option replaces plugin_settings.store and stays open after shutdown()', async () => {
  const prefix = testPrefix('option');
  const store = await RedisStore.connect({ url: MACHINE_REDIS, keyPrefix: prefix, connectTimeoutMs: 2000, commandTimeoutMs: 1000 });
  try {
    // the configured store would fail initialize(): nothing listens there
    const config = { plugin_settings: { threads: 1, store: { kind: 'redis' as const, url: `redis://127.0.0.1:${await freePort()}` } }, plugins: [rl()] };
    for (const expected of [4, 3]) {
      const manager = new PluginManager(config, { store });
      await manager.initialize();
      const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'search', args: {} }, { request_id: 'r', user: 'gail' });
      assert.equal(result.metadata.rate_limit_remaining, expected, 'two managers, one count');
      await manager.shutdown();
    }
    assert.equal(await store.get('rl\u0000user:5/m:gail'), 2);
  } finally {
    await store.close();
    await cleanPrefix(prefix);
  }
});

test('a bad store setting is a config error with its path', async () => {
  assert.match((await issuesOf({ kind: 'redis', url: 'http://127.0.0.1:6379' }))[0]!, /^plugin_settings\.store\.url: must be a redis:\/\/ or rediss:\/\/ URL/);
  assert.match((await issuesOf({ kind: 'redis', command_timeout_ms: 0 }))[0]!, /^plugin_settings\.store\.command_timeout_ms:/);
  assert.match((await issuesOf({ kind: 'redis', database: 2 }))[0]!, /^plugin_settings\.store: .*database/);
  assert.match((await issuesOf({ kind: 'postgres' }))[0]!, /^plugin_settings\.store\.kind:/);
  assert.match((await issuesOf({ kind: 'redis' }, [rl('team:rl')]))[0]!, /^plugins\.0\.name: a plugin name may not hold ':' with the Redis store/);
});

test('a manager whose Redis cannot be reached fails initialize() within connect_timeout_ms, leaving nothing running', async () => {
  const port = await freePort();
  const manager = new PluginManager({ plugin_settings: { store: { kind: 'redis', url: `redis://127.0.0.1:${port}`, connect_timeout_ms: 200 } }, plugins: [rl()] });
  await assert.rejects(manager.initialize(), (err: unknown) => err instanceof StoreUnavailableError && err.message.includes(`127.0.0.1:${port}`));
  assert.equal(manager.initialized, false);
});

test('the Redis client is loaded only when the Redis store is configured', async () => {
  const prefix = testPrefix('lazy');
  try {
    const run = async (store: unknown) => {
      const child = await runNode([fixture('scripts/redis_loaded.mjs'), JSON.stringify(store)], { boundMs: 30_000 });
      assert.equal(child.code, 0, child.stderr);
      return JSON.parse(child.stdout);
    };
    assert.deepEqual(await run({ kind: 'memory' }), { loaded: false, remaining: 4 });
    assert.deepEqual(await run({ kind: 'redis', url: MACHINE_REDIS, key_prefix: prefix }), { loaded: true, remaining: 4 });
  } finally {
    await cleanPrefix(prefix);
  }
});
