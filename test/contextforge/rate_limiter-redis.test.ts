import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PluginManager } from '../../src/bundled.js';
import { cleanPrefix, MACHINE_REDIS, rawClient, testPrefix } from '../fleet/redis.js';

/**
 * ContextForge's limiter with `backend: redis` shares its counters between every instance that reaches the same
 * Redis. Cordon's counts in the manager's store: with the store in Redis, two managers (two gateways) loading one
 * ContextForge config share one budget, the same way.
 */

const config = (prefix: string) => `
plugins:
  - name: "RateLimiter"
    kind: "cpex_rate_limiter.RateLimiterPlugin"
    hooks: ["tool_pre_invoke"]
    config:
      by_user: "3/hour"
      backend: "redis"
      redis_url: "redis://127.0.0.1:6379/15"
      algorithm: "fixed_window"
plugin_settings:
  store:
    kind: redis
    url: ${MACHINE_REDIS}
    key_prefix: "${prefix}"
`;

describe('ContextForge rate limiter on Redis', () => {
  it('two gateways on one Redis share the limit: three calls across both, then both refuse', async () => {
    const prefix = testPrefix('cf-rate');
    const dir = await mkdtemp(join(tmpdir(), 'cordon-cf-rate-redis-'));
    const managers: PluginManager[] = [];
    try {
      await writeFile(join(dir, 'gateway.yaml'), config(prefix));
      for (let i = 0; i < 2; i++) {
        const manager = new PluginManager(join(dir, 'gateway.yaml'));
        managers.push(manager);
        await manager.initialize();
      }
      const [a, b] = managers as [PluginManager, PluginManager];
      const call = (m: PluginManager, user = 'redis-alice') => m.invokeHook('tool_pre_invoke', { name: 'search', args: {} }, { request_id: 'r', user });
      const results = [];
      for (const m of [a, b, a, b, a]) results.push((await call(m)).result);
      assert.deepEqual(results.map((r) => r.continue_processing), [true, true, true, false, false]);
      assert.deepEqual([results[3]!.violation?.code, results[3]!.violation?.http_status_code], ['RATE_LIMIT', 429]);
      // another user has a budget of their own on either gateway
      assert.equal((await call(b, 'redis-bob')).result.continue_processing, true);
      // the counters are in Redis, and a request of a tenant is counted under keys of that tenant only
      await a.invokeHook('tool_pre_invoke', { name: 'search', args: {} }, { request_id: 'r', user: 'redis-carol', tenant_id: 'redis-team-x' });
      const client = await rawClient();
      try {
        const keys = await client.keys(`${prefix}:*`);
        const carol = keys.filter((k) => k.includes('redis-carol'));
        assert.ok(keys.some((k) => k.includes('redis-alice')), JSON.stringify(keys));
        assert.ok(carol.length > 0 && carol.every((k) => k.includes('redis-team-x')), JSON.stringify(keys));
      } finally {
        client.destroy();
      }
    } finally {
      await Promise.all(managers.map((m) => m.shutdown()));
      await rm(dir, { recursive: true, force: true });
      await cleanPrefix(prefix);
    }
  });
});

describe('ContextForge rate limiter when its store cannot answer', () => {
  const down = () => Promise.reject(new Error('store: Redis at redis://127.0.0.1:6379 did not answer'));
  const deadStore = { incr: down, get: down, set: down, delete: down, swap: down };

  it('fail_mode open (the default, and any blank value) lets the request through; closed refuses it with 503 BACKEND_UNAVAILABLE', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-cf-rate-down-'));
    const managers: PluginManager[] = [];
    try {
      const entry = (name: string, failMode: string) => `
  - name: "${name}"
    kind: "cpex_rate_limiter.RateLimiterPlugin"
    hooks: ["tool_pre_invoke"]
    config: { by_user: "3/hour", backend: "redis", redis_url: "redis://127.0.0.1:1/15"${failMode} }`;
      await writeFile(join(dir, 'down.yaml'), `plugins:${entry('Open', '')}${entry('Blank', ', fail_mode: " "')}${entry('Closed', ', fail_mode: "closed"')}\n`);
      const manager = new PluginManager(join(dir, 'down.yaml'), { store: deadStore });
      managers.push(manager);
      await manager.initialize();
      const call = (plugin: string) => manager.invokeHookForPlugin(plugin, 'tool_pre_invoke', { name: 'search', args: {} }, { request_id: 'r', user: 'down-alice' });
      for (const plugin of ['Open', 'Blank']) {
        for (let i = 0; i < 5; i++) {
          const result = await call(plugin);
          assert.equal(result.violation ?? null, null, `${plugin} call ${i + 1}`);
          assert.notEqual(result.continue_processing, false);
        }
      }
      const closed = await call('Closed');
      assert.equal(closed.continue_processing, false);
      assert.deepEqual(closed.violation && { ...closed.violation, plugin_name: undefined }, {
        reason: 'Rate limiter backend unavailable', description: 'Rate limiter backend unavailable; failing closed per fail_mode=closed',
        code: 'BACKEND_UNAVAILABLE', details: {}, http_status_code: 503, http_headers: { 'Retry-After': '1' }, plugin_name: undefined,
      });
    } finally {
      await Promise.all(managers.map((m) => m.shutdown()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
