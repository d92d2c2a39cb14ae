import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ctx, useManagers } from './harness.js';

/** ContextForge's rate_limiter/test_rate_limiter.py and cpex rate-limiter 0.0.4's tests. */

const managerFor = useManagers();

describe('RateLimiterPlugin (test_rate_limiter.py expectations)', () => {
  it('takes its rate syntax and blocks the call past the limit', async () => {
    const manager = await managerFor('rate', `
plugins:
  - name: "Limits"
    kind: "cpex_rate_limiter.RateLimiterPlugin"
    hooks: ["prompt_pre_fetch", "tool_pre_invoke"]
    mode: "enforce"
    config:
      by_user: "2/min"
      by_tool:
        lookup: "1/hour"
      algorithm: "fixed_window"
      backend: "memory"
`);
    const user = { request_id: 'r', user: 'rate-cf-parity-user' };
    const call = () => manager.invokeHook('prompt_pre_fetch', { prompt_id: 'p', args: {} }, user);
    assert.equal((await call()).result.continue_processing, true);
    assert.equal((await call()).result.continue_processing, true);
    const third = (await call()).result;
    assert.equal(third.continue_processing, false);
    assert.deepEqual([third.violation?.reason, third.violation?.code, third.violation?.http_status_code], ['Rate limit exceeded', 'RATE_LIMIT', 429]);
    const headers = third.violation?.http_headers as Record<string, string>;
    assert.deepEqual([headers['X-RateLimit-Limit'], headers['X-RateLimit-Remaining']], ['2', '0']);
    assert.ok(Number(headers['X-RateLimit-Reset']) > Date.now() / 1000 - 1, headers['X-RateLimit-Reset']);
    assert.ok(Number(headers['Retry-After']) >= 1 && Number(headers['Retry-After']) <= 60, headers['Retry-After']);
    const tool = () => manager.invokeHook('tool_pre_invoke', { name: 'lookup', args: {} }, { request_id: 'r', user: 'rate-cf-parity-other' });
    assert.equal((await tool()).result.continue_processing, true);
    const toolBlocked = (await tool()).result;
    assert.equal(toolBlocked.continue_processing, false);
    assert.equal(toolBlocked.violation?.http_status_code, 429);
    assert.equal((toolBlocked.violation?.http_headers as Record<string, string>)['X-RateLimit-Limit'], '1');
  });

  it('tells a request it lets through where it stands: X-RateLimit-* as http_headers, no Retry-After, and its metadata', async () => {
    const manager = await managerFor('rate-pass', `
plugins:
  - name: "LimitsPass"
    kind: "cpex_rate_limiter.RateLimiterPlugin"
    hooks: ["prompt_pre_fetch", "tool_pre_invoke"]
    mode: "enforce"
    config:
      by_user: "10/second"
      by_tenant: "100/hour"
`);
    const who = { request_id: 'r', user: 'rate-cf-pass-user', tenant_id: 'rate-cf-pass-tenant' };
    const before = Math.floor(Date.now() / 1000);
    const first = await manager.invokeHookForPlugin('LimitsPass', 'prompt_pre_fetch', { prompt_id: 'p', args: {} }, who);
    assert.equal(first.violation, null);
    // the most restrictive limit: the user's 10 a second, 9 left after this one
    const { 'X-RateLimit-Reset': reset, ...counts } = first.http_headers!;
    assert.deepEqual(counts, { 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '9' });
    assert.ok(Number(reset) > before && Number(reset) <= Math.ceil(Date.now() / 1000) + 1, reset);
    const metadata = first.metadata as { limited: boolean; remaining: number; reset_in: number; dimensions: { allowed: Array<{ remaining: number }> } };
    assert.deepEqual([metadata.limited, metadata.remaining], [true, 9]);
    assert.ok(metadata.reset_in >= 0 && metadata.reset_in <= 1, String(metadata.reset_in));
    assert.deepEqual(metadata.dimensions.allowed.map((d) => d.remaining), [9, 99]);
    // through the chain the headers are not merged into the result, as ContextForge's executor does not merge them
    const { result } = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'p', args: {} }, who);
    assert.equal(result.continue_processing, true);
    assert.equal('http_headers' in result, false);
    assert.equal((result.metadata as { remaining: number }).remaining, 8);
    // a request with no user is counted as "anonymous", and with no tenant by_tenant does not apply to it
    const anonymous = await manager.invokeHookForPlugin('LimitsPass', 'tool_pre_invoke', { name: 't', args: {} }, { request_id: 'r' });
    const counted = anonymous.metadata as { remaining: number; dimensions: { allowed: unknown[] } };
    assert.deepEqual([counted.remaining, counted.dimensions.allowed.length], [9, 1]);
  });

  it("a block's details repeat its metadata: who was counted, and every limit over or not, with what is left and when it resets", async () => {
    const manager = await managerFor('rate-details', `
plugins:
  - name: "LimitsDetails"
    kind: "cpex_rate_limiter.RateLimiterPlugin"
    hooks: ["tool_pre_invoke"]
    config:
      by_user: "2/hour"
      by_tenant: "100/hour"
      by_tool: { lookup: "50/hour" }
`);
    const who = { request_id: 'r', user: { email: 'rate-cf-details@corp.example' }, tenant_id: 'rate-cf-details-tenant' };
    const call = () => manager.invokeHook('tool_pre_invoke', { name: 'lookup', args: {} }, who);
    await call();
    await call();
    const { violation } = (await call()).result;
    assert.deepEqual([violation?.reason, violation?.description, violation?.code], ['Rate limit exceeded', 'Rate limit exceeded', 'RATE_LIMIT']);
    const details = violation?.details as { reset_in: number; dimensions: { violated: Array<{ reset_in: number }>; allowed: Array<{ reset_in: number }> } };
    // the windows are an hour long: what is left of them, in whole seconds, is set apart from the rest
    const resets = [details.reset_in, ...details.dimensions.violated.map((d) => d.reset_in), ...details.dimensions.allowed.map((d) => d.reset_in)];
    for (const reset of resets) assert.ok(reset >= 3500 && reset <= 3600, String(reset));
    const [first, ...others] = resets;
    const without = (d: object) => Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'reset_in'));
    assert.deepEqual({ ...without(details), dimensions: { violated: details.dimensions.violated.map(without), allowed: details.dimensions.allowed.map(without) } }, {
      limited: true,
      remaining: 0,
      user_id: 'rate-cf-details@corp.example',
      tenant_id: 'rate-cf-details-tenant',
      dimensions: { violated: [{ limited: true, remaining: 0 }], allowed: [{ limited: true, remaining: 97 }, { limited: true, remaining: 47 }] },
    });
    assert.equal((violation?.http_headers as Record<string, string>)['Retry-After'], String(first));
    assert.equal(others[0], first);
    // a request with no user is counted as ContextForge names it
    const small = await managerFor('rate-details-tenant', `
plugins:
  - name: "LimitsTenant"
    kind: "plugins.rate_limiter.rate_limiter.RateLimiterPlugin"
    hooks: ["tool_pre_invoke"]
    config: { by_tenant: "1/hour" }
`);
    const tenantCall = () => small.invokeHook('tool_pre_invoke', { name: 'other', args: {} }, { request_id: 'r', tenant_id: 'rate-cf-details-small' });
    await tenantCall();
    const anonymous = (await tenantCall()).result.violation?.details as Record<string, unknown>;
    assert.deepEqual([anonymous.user_id, anonymous.tenant_id, anonymous.remaining], ['anonymous', 'rate-cf-details-small', 0]);
    assert.equal('allowed' in (anonymous.dimensions as object), false);
  });
});
