import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PluginManager } from '../../src/bundled.js';
import { cleanPrefix, MACHINE_REDIS, testPrefix } from '../fleet/redis.js';
import { useManagers } from './harness.js';

/**
 * ContextForge's sliding_window and token_bucket algorithms (cpex-rate-limiter 0.0.4's integration tests and its
 * memory engine's), through the manager on its configs: hour-long windows, so nothing here depends on how fast the
 * machine answers. Refill and expiry over time are in ../plugins/rate_algorithms.test.ts, at times given by hand.
 */

const managerFor = useManagers();
const limiter = (name: string, algorithm: string, extra = '') => `
  - name: "${name}"
    kind: "cpex_rate_limiter.RateLimiterPlugin"
    hooks: ["tool_pre_invoke"]
    config: { by_user: "3/hour", algorithm: "${algorithm}"${extra} }`;
const call = (m: PluginManager, plugin: string, user: string) =>
  m.invokeHookForPlugin(plugin, 'tool_pre_invoke', { name: 'search', args: {} }, { request_id: 'r', user });
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('ContextForge rate limiter: sliding_window and token_bucket', () => {
  it('each enforces its limit per user, with X-RateLimit-* headers and a 429 saying when to retry', async () => {
    const manager = await managerFor('rate-algorithms', `plugins:${limiter('Sliding', 'sliding_window')}${limiter('Bucket', ' Token_Bucket ')}\n`);
    for (const plugin of ['Sliding', 'Bucket']) {
      const before = nowSeconds();
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await call(manager, plugin, `${plugin}-alice`));
      assert.deepEqual(results.map((r) => r.continue_processing), [true, true, true, false, false], plugin);
      assert.deepEqual(results.slice(0, 3).map((r) => r.http_headers?.['X-RateLimit-Remaining']), ['2', '1', '0'], plugin);
      assert.equal(results[0]!.http_headers?.['X-RateLimit-Limit'], '3');
      assert.equal(results[0]!.http_headers?.['Retry-After'], undefined, 'a request let through is not told to retry');
      const refused = results[3]!.violation!;
      assert.deepEqual([refused.code, refused.http_status_code, refused.reason], ['RATE_LIMIT', 429, 'Rate limit exceeded'], plugin);
      const headers = refused.http_headers as Record<string, string> | undefined;
      const retry = Number(headers?.['Retry-After']);
      const reset = Number(headers?.['X-RateLimit-Reset']);
      // a sliding window reopens when its oldest request leaves (an hour on); a bucket when a token comes (20 min)
      const expected = plugin === 'Sliding' ? 3600 : 1200;
      assert.ok(retry > expected - 5 && retry <= expected, `${plugin} Retry-After ${retry}`);
      assert.ok(reset >= before + retry && reset <= nowSeconds() + retry + 1, `${plugin} X-RateLimit-Reset ${reset}`);
      assert.equal((await call(manager, plugin, `${plugin}-bob`)).continue_processing, true, 'another user has a budget of their own');
    }
  });

  it('a bucket tells a request let through when it is full again; a refused request takes nothing from a sliding window', async () => {
    const manager = await managerFor('rate-algorithms-reset', `plugins:${limiter('Sliding', 'sliding_window')}${limiter('Bucket', 'token_bucket')}\n`);
    const first = await call(manager, 'Bucket', 'carol');
    const full = Number(first.http_headers?.['X-RateLimit-Reset']) - nowSeconds();
    assert.ok(full > 1190 && full <= 1201, `one token spent refills in 20 minutes (${full} s)`);
    for (let i = 0; i < 6; i++) await call(manager, 'Sliding', 'dave');
    const metadata = (await call(manager, 'Sliding', 'erin')).metadata as { remaining: number };
    assert.equal(metadata.remaining, 2);
  });

  it('refuses an algorithm it does not know, and a sliding window too large to keep', async () => {
    await assert.rejects(managerFor('rate-algorithm-unknown', `plugins:${limiter('Leaky', 'leaky_bucket')}\n`), /Leaky.*algorithm/s);
    await assert.rejects(managerFor('rate-algorithm-big', `plugins:
  - name: "Big"
    kind: "cpex_rate_limiter.RateLimiterPlugin"
    hooks: ["tool_pre_invoke"]
    config: { by_user: "5000/hour", algorithm: "sliding_window" }
`), /config\.algorithm: sliding_window keeps one time per request/);
  });

  it('two gateways on one Redis share a sliding window and a bucket', async () => {
    const prefix = testPrefix('cf-rate-algorithms');
    const dir = await mkdtemp(join(tmpdir(), 'cordon-cf-rate-alg-'));
    const managers: PluginManager[] = [];
    try {
      await writeFile(join(dir, 'gateway.yaml'), `plugins:${limiter('Sliding', 'sliding_window')}${limiter('Bucket', 'token_bucket')}
plugin_settings:
  store: { kind: redis, url: ${MACHINE_REDIS}, key_prefix: "${prefix}" }
`);
      for (let i = 0; i < 2; i++) {
        const manager = new PluginManager(join(dir, 'gateway.yaml'));
        managers.push(manager);
        await manager.initialize();
      }
      const [a, b] = managers as [PluginManager, PluginManager];
      for (const plugin of ['Sliding', 'Bucket']) {
        // eight at once across both gateways: the swaps race in Redis, and exactly three win
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => call(i % 2 ? a : b, plugin, 'redis-frank')));
        assert.equal(results.filter((r) => r.continue_processing).length, 3, plugin);
      }
    } finally {
      await Promise.all(managers.map((m) => m.shutdown()));
      await rm(dir, { recursive: true, force: true });
      await cleanPrefix(prefix);
    }
  });
});
