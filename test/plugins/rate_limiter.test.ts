import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import rateLimiter from '../../plugins/rate_limiter.js';
import type { HookResult, RateLimiterConfig } from '../../plugins/schemas.js';
import { MemoryStore } from '../../src/runtime/store.js';
import { StoreGate } from '../../src/runtime/store-gate.js';
import { assertIssueAt, configErrors, context, parseConfig } from './helpers.js';

type Grants = Parameters<typeof rateLimiter>[1];
const build = (config: unknown, grants?: Grants) => rateLimiter(parseConfig<RateLimiterConfig>('rate_limiter', config), grants);
const alice = context({ user: 'alice@example.com', tenant_id: 'acme' });
const call = (plugin: ReturnType<typeof build>, tool = 'search', ctx = alice) => plugin.tool_pre_invoke({ name: tool, args: {} }, ctx);
const codes = (results: Array<HookResult | undefined>) => results.map((r) => r?.violation?.code ?? 'pass');

describe('rate_limiter', () => {
  it('lets a user through up to the limit, then blocks with the dimension named', async () => {
    const plugin = build({ by_user: '3/m' });
    const opened = Date.now();
    const results = [await call(plugin), await call(plugin), await call(plugin), await call(plugin)];
    assert.deepEqual(results.slice(0, 3).map((r) => r?.metadata), [{ rate_limit_remaining: 2 }, { rate_limit_remaining: 1 }, { rate_limit_remaining: 0 }]);
    const { http_headers: headers, ...violation } = results[3]!.violation!;
    assert.deepEqual({ ...results[3], violation }, {
      continue_processing: false,
      violation: {
        reason: 'Rate limit exceeded',
        description: 'user alice@example.com is over its limit of 3/m',
        code: 'RATE_LIMITED',
        details: { dimension: 'user', subject: 'alice@example.com', limit: '3/m', count: 4 },
        http_status_code: 429,
      },
    });
    // the window opened by the first call ends a minute after it: the client is told when (seconds, as HTTP says)
    const { 'X-RateLimit-Reset': reset, 'Retry-After': retry, ...counts } = headers as Record<string, string>;
    assert.deepEqual(counts, { 'X-RateLimit-Limit': '3', 'X-RateLimit-Remaining': '0' });
    assert.ok(Number(reset) >= Math.floor((opened + 60_000) / 1000) && Number(reset) <= Math.ceil((Date.now() + 60_000) / 1000), reset);
    assert.ok(Number(retry) >= 1 && Number(retry) <= 60, retry);
    const bob = await call(plugin, 'search', context({ user: { email: 'bob@example.com' } }));
    assert.deepEqual(bob?.metadata, { rate_limit_remaining: 2 });
    // a request let through gets the same headers, without Retry-After
    const { 'X-RateLimit-Reset': bobReset, ...bobCounts } = bob?.http_headers ?? {};
    assert.deepEqual(bobCounts, { 'X-RateLimit-Limit': '3', 'X-RateLimit-Remaining': '2' });
    assert.ok(Number(bobReset) >= Math.floor((opened + 60_000) / 1000), bobReset);
  });

  it('limits tenants and tools, with "*" for every tool not named', async () => {
    const plugin = build({ by_tenant: '5/h', by_tool: { export_all: '1/m', '*': '2/m' } });
    assert.deepEqual(codes([await call(plugin, 'export_all'), await call(plugin, 'export_all')]), ['pass', 'RATE_LIMITED']);
    assert.deepEqual(codes([await call(plugin, 'search'), await call(plugin, 'search'), await call(plugin, 'search')]), ['pass', 'pass', 'RATE_LIMITED']);
    const blocked = await call(plugin, 'lookup'); // the sixth call of tenant acme this hour
    assert.deepEqual(blocked?.violation?.details, { dimension: 'tenant', subject: 'acme', limit: '5/h', count: 6 });
    // another tenant has its own budget; the tool budget of lookup is shared (its second call of two)
    const globex = await call(plugin, 'lookup', context({ tenant_id: 'globex' }));
    assert.deepEqual(globex?.metadata, { rate_limit_remaining: 0 });
    // the most restrictive limit's figures: the tool's, with none left
    assert.deepEqual([globex?.http_headers?.['X-RateLimit-Limit'], globex?.http_headers?.['X-RateLimit-Remaining']], ['2', '0']);
  });

  it('skips dimensions a request does not have, and tool limits on prompts', async () => {
    const plugin = build({ by_user: '1/m', by_tool: { '*': '1/m' } });
    assert.equal(await plugin.prompt_pre_fetch({ prompt_id: 'p', args: {} }, context()), undefined);
    assert.deepEqual(codes([await plugin.prompt_pre_fetch({ prompt_id: 'p', args: {} }, alice), await plugin.prompt_pre_fetch({ prompt_id: 'p', args: {} }, alice)]),
      ['pass', 'RATE_LIMITED']);
  });

  it("keeps Cordon's own ways unless told ContextForge's: no anonymous user, tool names as written, prompts apart from tools, users across tenants", async () => {
    const cordon = build({ by_user: '1/m', by_tool: { Search: '1/m' } });
    assert.equal(await cordon.tool_pre_invoke({ name: 'x', args: {} }, context()), undefined, 'no user: by_user does not apply');
    assert.deepEqual(codes([await call(cordon, 'search', context({ user: 'u1' })), await call(cordon, 'search', context({ user: 'u2' }))]), ['pass', 'pass']);
    assert.deepEqual(codes([await cordon.prompt_pre_fetch({ prompt_id: 'Search', args: {} }, context({ user: 'u3' }))]), ['pass']);
    assert.deepEqual(codes([await call(cordon, 'x', context({ user: 'u4', tenant_id: 'a' })), await call(cordon, 'x', context({ user: 'u4', tenant_id: 'b' }))]), ['pass', 'RATE_LIMITED']);
    const contextforge = build({ by_user: '1/m', by_tool: { Search: '1/m' }, anonymous_user: 'anonymous', scope_by_tenant: true, fold_tool_names: true, prompts_by_name: true });
    assert.deepEqual(codes([await call(contextforge, 'x', context()), await call(contextforge, 'x', context({ user: '  ' }))]), ['pass', 'RATE_LIMITED']);
    assert.deepEqual(codes([await call(contextforge, ' SEARCH ', context({ user: 'u1' })), await contextforge.prompt_pre_fetch({ prompt_id: 'search', args: {} }, context({ user: 'u2' }))]), ['pass', 'RATE_LIMITED']);
    assert.deepEqual(codes([await call(contextforge, 'x', context({ user: 'u4', tenant_id: 'a' })), await call(contextforge, 'x', context({ user: 'u4', tenant_id: 'b' }))]), ['pass', 'pass']);
    assertIssueAt(configErrors('rate_limiter', { by_user: '1/m', anonymous_user: '' }), 'anonymous_user');
  });

  it('starts counting afresh once the window has passed, in its own counters and in the shared store', async () => {
    // the granted clock moved by hand: the plugin and the in-memory store both read Date
    mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 0, 1) });
    try {
      const store = new StoreGate(new MemoryStore()).forPlugin('rate_limiter');
      for (const plugin of [build({ by_user: '1/1s' }), build({ by_user: '1/1s' }, { store })]) {
        assert.deepEqual(codes([await call(plugin), await call(plugin)]), ['pass', 'RATE_LIMITED']);
        mock.timers.tick(999);
        assert.deepEqual(codes([await call(plugin)]), ['RATE_LIMITED']);
        mock.timers.tick(1);
        assert.deepEqual(codes([await call(plugin)]), ['pass']);
      }
    } finally {
      mock.timers.reset();
    }
  });

  it('counts in the shared store, so instances (workers) share one limit exactly under concurrency', async () => {
    const store = new StoreGate(new MemoryStore()).forPlugin('rate_limiter');
    const workers = Array.from({ length: 4 }, () => build({ by_user: '50/m' }, { store }));
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => call(workers[i % 4]!)));
    assert.equal(codes(results).filter((c) => c === 'pass').length, 50);
    assert.equal(await store.get('user:50/m:alice@example.com'), 200);
  });

  it('uses a global store when the runtime endows one, and per-instance counters without any', async () => {
    const store = new StoreGate(new MemoryStore()).forPlugin('rl');
    const global = globalThis as { store?: unknown };
    global.store = store;
    try {
      const [a, b] = [build({ by_user: '1/m' }), build({ by_user: '1/m' })];
      assert.deepEqual(codes([await call(a), await call(b)]), ['pass', 'RATE_LIMITED']);
    } finally {
      delete global.store;
    }
    const [a, b] = [build({ by_user: '1/m' }), build({ by_user: '1/m' })];
    assert.deepEqual(codes([await call(a), await call(b), await call(a)]), ['pass', 'pass', 'RATE_LIMITED']);
  });

  it('decides by fail_mode when the shared store cannot answer: open lets through and says so, closed blocks (503)', async () => {
    const fail = () => Promise.reject(new Error('store: Redis at redis://127.0.0.1:6379 did not answer'));
    const down = { incr: fail, get: fail, set: fail };
    assert.deepEqual(await call(build({ by_user: '5/m' }, { store: down })), {
      metadata: { rate_limit_unavailable: true, rate_limit_error: 'store: Redis at redis://127.0.0.1:6379 did not answer' },
    }, 'fail_mode is open by default');
    const closed = await call(build({ by_user: '5/m', fail_mode: 'closed' }, { store: down }));
    assert.equal(closed?.continue_processing, false);
    assert.deepEqual({ ...closed?.violation, description: undefined }, {
      reason: 'Rate limit backend unavailable', description: undefined, code: 'BACKEND_UNAVAILABLE',
      details: { error: 'store: Redis at redis://127.0.0.1:6379 did not answer' },
      http_status_code: 503, http_headers: { 'Retry-After': '1' },
    });
    // a store answering something that is not a count is the same fault
    assert.equal((await call(build({ by_user: '5/m', fail_mode: 'closed' }, { store: { ...down, incr: async () => 'many' as never } })))?.violation?.code, 'BACKEND_UNAVAILABLE');
    assertIssueAt(configErrors('rate_limiter', { by_user: '5/m', fail_mode: 'shut' }), 'fail_mode');
  });

  it('rejects a bad config naming the field', () => {
    assertIssueAt(configErrors('rate_limiter', {}), 'by_user', /at least one/);
    assertIssueAt(configErrors('rate_limiter', { by_user: '60/minute' }), 'by_user', /60\/m/);
    assertIssueAt(configErrors('rate_limiter', { by_tool: { search: '0/m' } }), 'by_tool.search');
    assertIssueAt(configErrors('rate_limiter', { by_tenant: '1/30d' }), 'by_tenant', /24 days/);
  });
});
