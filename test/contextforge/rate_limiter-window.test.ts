import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import rateLimiter from '../../plugins/rate_limiter.js';
import { RateLimiterSchema, type HookResult } from '../../plugins/schemas.js';
import { contextForgeClassPaths } from '../../src/contextforge-plugins.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { StoreGate } from '../../src/runtime/store-gate.js';
import { useManagers } from './harness.js';

/**
 * Windows that end, and configs ContextForge's limiter refuses. Time is the granted clock: the window tests run the
 * plugin in this process on a ContextForge config as the translator makes it, with the shared in-memory store,
 * and move Date forward by hand, so nothing sleeps and nothing depends on the machine's speed.
 */

const managerFor = useManagers();
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** The plugin as a cpex_rate_limiter.RateLimiterPlugin entry with `config` runs it, on a store of its own. */
function contextForgeLimiter(config: Record<string, unknown>) {
  const { config: translated, issues } = contextForgeClassPaths['cpex_rate_limiter.RateLimiterPlugin']!.translate(config);
  assert.deepEqual(issues, []);
  const store = new StoreGate(new MemoryStore()).forPlugin('RateLimiter');
  const plugin = rateLimiter(RateLimiterSchema.parse(translated), { store });
  const who = { state: {}, metadata: {}, global_context: { request_id: 'r', state: {}, metadata: {}, user: 'alice' } };
  return {
    prompt: () => plugin.prompt_pre_fetch({ prompt_id: 'test', args: {} }, who) as Promise<HookResult>,
    tool: () => plugin.tool_pre_invoke({ name: 'search', args: {} }, who) as Promise<HookResult>,
  };
}
const at = (ms: number) => mock.timers.setTime(T0 + ms);

describe('ContextForge rate limiter: windows', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: T0 }));
  afterEach(() => mock.timers.reset());

  it('a window of a second: the third call of 2/s is refused with Retry-After 1, and the window that opens a second later lets calls through', async () => {
    const limiter = contextForgeLimiter({ by_user: '2/s', by_tenant: null, by_tool: {} });
    const first = await limiter.prompt();
    // the window ends a second after the call that opened it
    assert.deepEqual(first.http_headers, { 'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '1', 'X-RateLimit-Reset': String(T0 / 1000 + 1) });
    at(400);
    assert.equal((await limiter.prompt()).http_headers?.['X-RateLimit-Remaining'], '0');
    at(900);
    const third = await limiter.prompt();
    assert.equal(third.continue_processing, false);
    assert.deepEqual(third.violation?.http_headers, { 'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(T0 / 1000 + 1), 'Retry-After': '1' });
    at(1_001);
    const after = await limiter.prompt();
    assert.equal(after.violation, undefined);
    assert.equal(after.http_headers?.['X-RateLimit-Remaining'], '1');
    assert.equal(after.http_headers?.['Retry-After'], undefined);
  });

  it('the reset time stays the same through a window, and a block says how long is left of it', async () => {
    const limiter = contextForgeLimiter({ by_user: '3/min' });
    const resets = [];
    for (const ms of [0, 10_000, 20_000]) {
      at(ms);
      resets.push((await limiter.tool()).http_headers?.['X-RateLimit-Reset']);
    }
    assert.deepEqual(resets, times3(String(T0 / 1000 + 60)));
    at(45_000);
    const blocked = await limiter.tool();
    assert.equal((blocked.violation?.http_headers as Record<string, string>)['Retry-After'], '15');
    assert.equal((blocked.violation?.details as { reset_in: number }).reset_in, 15);
    at(60_000);
    assert.equal((await limiter.tool()).http_headers?.['X-RateLimit-Remaining'], '2');
  });

  it('a request over two limits is told of the one that reopens soonest, and each limit is listed as violated', async () => {
    const limiter = contextForgeLimiter({ by_user: '1/min', by_tool: { search: '1/hour' } });
    await limiter.tool();
    at(20_000);
    const blocked = await limiter.tool();
    const headers = blocked.violation?.http_headers as Record<string, string>;
    // the user's minute ends 40 s from now, the tool's hour much later: the minute is what the client is told
    assert.deepEqual(headers, { 'X-RateLimit-Limit': '1', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(T0 / 1000 + 60), 'Retry-After': '40' });
    const details = blocked.violation?.details as { reset_in: number; dimensions: { violated: Array<{ reset_in: number }> } };
    assert.equal(details.reset_in, 40);
    assert.deepEqual(details.dimensions.violated.map((d) => d.reset_in), [40, 3_580]);
  });
});

function times3(value: string) {
  return [value, value, value];
}

describe('ContextForge rate limiter: configs it refuses', () => {
  const load = async (name: string, config: string) => {
    try {
      await managerFor(name, `
plugins:
  - name: "RateLimiter"
    kind: "cpex_rate_limiter.RateLimiterPlugin"
    hooks: ["tool_pre_invoke"]
    config: ${config}
`);
      return 'loaded';
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('refuses a rate it does not take, naming the key: a unit past the hour, a count of 0, no slash, a count above a million', async () => {
    for (const [config, path] of [
      ['{ by_user: "10/d" }', 'config.by_user'], ['{ by_user: "10/day" }', 'config.by_user'], ['{ by_tenant: "0/s" }', 'config.by_tenant'],
      ['{ by_user: "10m" }', 'config.by_user'], ['{ by_user: "not-a-rate" }', 'config.by_user'], ['{ by_tenant: "bad" }', 'config.by_tenant'],
      ['{ by_tool: { search: "bad" } }', 'config.by_tool'], ['{ by_user: "99999999/h" }', 'config.by_user'],
    ] as const) {
      const message = await load('rate-refused', config);
      assert.match(message, new RegExp(`plugins\\[0\\]\\.${path.replace('.', '\\.')}`), `${config}: ${message}`);
      assert.equal(message.includes('\n'), false);
    }
  });

  it('refuses an algorithm or backend it does not know, and backend redis with no redis_url', async () => {
    assert.match(await load('rate-algorithm', '{ by_user: "5/s", algorithm: "bogus" }'), /plugins\[0\]\.config\.algorithm: .*"bogus"/);
    assert.match(await load('rate-backend', '{ by_user: "5/s", backend: "memcached" }'), /plugins\[0\]\.config\.backend: .*"memcached"/);
    assert.match(await load('rate-redis', '{ by_user: "5/s", backend: "redis" }'), /plugins\[0\]\.config\.backend: .*needs redis_url/);
  });

  it('refuses a fail_mode that is neither open nor closed, and a key it does not know, naming each', async () => {
    assert.match(await load('rate-fail-mode', '{ by_user: "5/s", fail_mode: "clsoed" }'), /plugins\[0\]\.config\.fail_mode: /);
    assert.match(await load('rate-unknown', '{ by_user: "5/s", redis_ur: "typo-key" }'), /plugins\[0\]\.config\.redis_ur: /);
  });

  it('takes every key it documents: its units long and short, hr included, a million a window, redis with its url, fail_mode', async () => {
    assert.equal(await load('rate-every-key', `{ by_user: "60/sec", by_tenant: "1000000/hr", by_tool: { search: "10/ MINUTE" }, algorithm: "fixed_window",
      backend: "redis", redis_url: "redis://127.0.0.1:6379/0", redis_key_prefix: "test", fail_mode: " Closed " }`), 'loaded');
    assert.equal(await load('rate-blank-keys', '{ by_user: "5/s", by_tenant: null, by_tool: null, fail_mode: "" }'), 'loaded');
  });
});
