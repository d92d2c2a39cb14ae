import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { useManagers } from './harness.js';

/**
 * Who and what ContextForge's rate limiter counts, through one manager holding one limiter per behaviour (each its
 * own counters), on configs as ContextForge writes them. Windows are an hour long wherever the window itself is not
 * the point, so no test depends on how fast the machine answers; windows ending are in rate_limiter-window.test.ts.
 */

const managerFor = useManagers();
let manager: PluginManager;

const limiter = (name: string, config: string, extra = '') => `
  - name: "${name}"
    kind: "cpex_rate_limiter.RateLimiterPlugin"
    hooks: ["prompt_pre_fetch", "tool_pre_invoke"]${extra}
    config: ${config}`;

before(async () => {
  manager = await managerFor('rate-counting', `plugins:${[
    limiter('UserTwo', '{ by_user: "2/hour", by_tenant: null, by_tool: {} }'),
    limiter('Multi', '{ by_user: "10/hour", by_tenant: "5/hour", by_tool: { restricted_tool: "1/hour" } }'),
    limiter('UserFive', '{ by_user: "5/hour", algorithm: "fixed_window", backend: "memory" }'),
    limiter('TenantFour', '{ by_user: "10/hour", by_tenant: "4/hour" }'),
    limiter('UserThreeTenantFive', '{ by_user: "3/hour", by_tenant: "5/hour" }'),
    limiter('Nothing', '{ algorithm: "fixed_window", backend: "memory" }'),
    limiter('Folded', '{ by_tool: { "  Expensive  ": "2/hour" } }'),
    limiter('Spaced', '{ by_user: "2/ MIN" }'),
    limiter('UserOne', '{ by_user: "1/hour" }'),
    limiter('TenantThree', '{ by_user: null, by_tenant: "3/hour" }'),
    limiter('TenantOnly', '{ by_tenant: "2/hour" }'),
    limiter('Twin', '{ by_user: "2/hour" }'),
  ].join('')}
`);
});

type Ctx = { request_id: string; user?: unknown; tenant_id?: string | null };
const tool = (plugin: string, who: Ctx, name = 'search') =>
  manager.invokeHookForPlugin(plugin, 'tool_pre_invoke', { name, args: {} }, who as never);
const prompt = (plugin: string, who: Ctx, id = 'p') =>
  manager.invokeHookForPlugin(plugin, 'prompt_pre_fetch', { prompt_id: id, args: {} }, who as never);
const as = (user: unknown, tenant_id?: string | null): Ctx => ({ request_id: 'r', user, ...(tenant_id === undefined ? {} : { tenant_id }) });
/** A header of a result let through, or of its violation when blocked. */
const header = (result: object, name: string) => {
  const r = result as { http_headers?: Record<string, string>; violation?: { http_headers?: Record<string, string> } | null };
  return (r.http_headers ?? r.violation?.http_headers)?.[name];
};
const passes = (r: { violation?: unknown; continue_processing?: boolean }) => !r.violation && r.continue_processing !== false;
const outcomes = async (calls: Array<() => Promise<{ violation?: unknown; continue_processing?: boolean }>>) => {
  const results: string[] = [];
  for (const call of calls) results.push(passes(await call()) ? 'pass' : 'block');
  return results;
};
const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

describe('ContextForge rate limiter: who is counted', () => {
  it('counts a user up to its limit, then blocks with 429 RATE_LIMIT; another user has a budget of its own', async () => {
    const alice = as('count-alice');
    assert.deepEqual(await outcomes(times(6, () => () => tool('UserFive', alice))), ['pass', 'pass', 'pass', 'pass', 'pass', 'block']);
    const blocked = await tool('UserFive', alice);
    assert.deepEqual([blocked.violation?.code, blocked.violation?.http_status_code], ['RATE_LIMIT', 429]);
    assert.ok(header(blocked, 'Retry-After'));
    assert.equal(passes(await tool('UserFive', as('count-bob'))), true);
    // the prompt hook counts as well, and shares the user's budget with tools
    const carol = as('count-carol');
    assert.deepEqual(await outcomes([...times(3, () => () => prompt('UserFive', carol)), ...times(3, () => () => tool('UserFive', carol, 'other'))]),
      ['pass', 'pass', 'pass', 'pass', 'pass', 'block']);
  });

  it('tells what is left across both hooks: X-RateLimit-Remaining falls with each request, prompt or tool', async () => {
    const who = as('count-remaining');
    const remaining = [];
    for (const call of [() => prompt('UserTwo', who), () => tool('UserTwo', who)]) remaining.push(header(await call(), 'X-RateLimit-Remaining'));
    assert.deepEqual(remaining, ['1', '0']);
    const third = await prompt('UserTwo', who);
    assert.equal(header(third, 'X-RateLimit-Remaining'), '0');
  });

  it('names who was counted only on a block: a request let through carries no user_id or tenant_id', async () => {
    const who = as('count-identity@example.com', 'count-identity-team');
    const allowed = await tool('UserTwo', who);
    assert.equal(passes(allowed), true);
    assert.deepEqual(['user_id', 'tenant_id'].filter((k) => k in (allowed.metadata ?? {})), []);
    await tool('UserTwo', who);
    const details = (await tool('UserTwo', who)).violation?.details as Record<string, unknown>;
    assert.deepEqual([details.user_id, details.tenant_id], ['count-identity@example.com', 'count-identity-team']);
  });

  it('reads the user as ContextForge does: an object by its email, else its id (a number as its digits), else its sub; blank or none is "anonymous"', async () => {
    // two objects with one email are one user, whatever their ids
    assert.deepEqual(await outcomes([
      () => tool('UserOne', as({ email: 'count-same@example.com', id: 'a' })),
      () => tool('UserOne', as({ email: 'count-same@example.com', id: 'b' })),
    ]), ['pass', 'block']);
    assert.deepEqual(await outcomes([() => tool('UserOne', as({ id: 4242 })), () => tool('UserOne', as({ id: 4242 }))]), ['pass', 'block']);
    assert.deepEqual(await outcomes([
      () => tool('UserOne', as({ email: '   ', id: null, sub: 'count-subject' })),
      () => tool('UserOne', as({ sub: 'count-subject' })),
    ]), ['pass', 'block']);
    // a blank user, an empty one, none at all and an object naming no one share the "anonymous" budget
    assert.deepEqual(await outcomes([() => tool('UserOne', as('   ')), () => tool('UserOne', as(''))]), ['pass', 'block']);
    assert.deepEqual(await outcomes([() => tool('UserOne', as(null)), () => tool('UserOne', { request_id: 'r' })]), ['block', 'block']);
    const details = (await tool('UserOne', as({ full_name: 'No One' }))).violation?.details as Record<string, unknown>;
    assert.equal(details.user_id, 'anonymous');
    // the anonymous budget is apart from a named user's, and users given as objects are apart from one another
    assert.equal(passes(await tool('UserOne', as('count-named'))), true);
    const threeEach = (user: unknown) => times(4, () => () => tool('UserThreeTenantFive', as(user)));
    assert.deepEqual(await outcomes(threeEach({ email: 'count-a@example.com', is_admin: false })), ['pass', 'pass', 'pass', 'block']);
    assert.deepEqual(await outcomes(threeEach({ email: 'count-b@example.com', is_admin: false }).slice(0, 1)), ['pass']);
  });

  it('a request with no user and no tenant is still limited, as "anonymous"', async () => {
    const nobody = { request_id: 'r', user: null, tenant_id: null };
    // UserThreeTenantFive's anonymous budget is spent by the test above; Twin's is fresh
    assert.deepEqual(await outcomes(times(3, () => () => tool('Twin', nobody))), ['pass', 'pass', 'block']);
  });
});

describe('ContextForge rate limiter: tenants', () => {
  it('limits a tenant across its users and both hooks; another tenant has its own budget', async () => {
    const alice = as('tenant-alice', 'tenant-team1');
    const bob = as('tenant-bob', 'tenant-team1');
    assert.deepEqual(await outcomes([() => prompt('TenantFour', alice), () => prompt('TenantFour', alice), () => tool('TenantFour', bob), () => tool('TenantFour', bob), () => prompt('TenantFour', alice)]),
      ['pass', 'pass', 'pass', 'pass', 'block']);
    assert.equal(passes(await tool('TenantFour', as('tenant-carol', 'tenant-team2'))), true);
    assert.deepEqual(await outcomes([...times(3, (i) => () => tool('TenantThree', as(`tenant-u${i}`, 'tenant-shared'))), () => tool('TenantThree', as('tenant-u99', 'tenant-shared'))]),
      ['pass', 'pass', 'pass', 'block']);
    assert.equal(passes(await tool('TenantThree', as('tenant-u', 'tenant-other'))), true);
  });

  it('skips by_tenant for a request with no tenant (null or blank), so tenant-less users never share one budget', async () => {
    // TenantOnly limits tenants alone: with no tenant nothing applies, and it says so
    for (const tenant of [null, '  ', undefined]) {
      const results = await Promise.all(times(3, () => tool('TenantOnly', as('tenant-none', tenant))));
      assert.deepEqual(results.map((r) => r.metadata), times(3, () => ({ limited: false })));
      assert.ok(results.every((r) => passes(r) && !r.http_headers));
    }
    // with a user limit too, two tenant-less users are limited by their own budgets only
    assert.deepEqual(await outcomes(times(3, () => () => tool('Multi', as('tenant-less-a', null), 'free')).concat(times(3, () => () => tool('Multi', as('tenant-less-b', null), 'free')))),
      times(6, () => 'pass'));
  });

  it("counts each tenant's users and tools apart: a user's budget in one tenant is not spent in another", async () => {
    const inTeam = (team: string) => as('tenant-roaming', team);
    assert.deepEqual(await outcomes(times(3, () => () => tool('UserTwo', inTeam('tenant-scope-a')))), ['pass', 'pass', 'block']);
    assert.equal(passes(await tool('UserTwo', inTeam('tenant-scope-b'))), true);
    // a tool's budget too: restricted_tool once an hour in each tenant
    assert.deepEqual(await outcomes([() => tool('Multi', inTeam('tenant-scope-a'), 'restricted_tool'), () => tool('Multi', inTeam('tenant-scope-a'), 'restricted_tool'), () => tool('Multi', inTeam('tenant-scope-b'), 'restricted_tool')]),
      ['pass', 'block', 'pass']);
  });
});

describe('ContextForge rate limiter: tools and prompts', () => {
  it("limits a tool by its name, trimmed and in any case, and a prompt by its id; a tool it does not name is not limited", async () => {
    const who = as('tools-user');
    assert.deepEqual(await outcomes([() => tool('Folded', who, 'expensive'), () => tool('Folded', who, 'EXPENSIVE'), () => tool('Folded', who, ' expensive ')]),
      ['pass', 'pass', 'block']);
    // a prompt named as a limited tool is counted with it
    assert.equal(passes(await prompt('Folded', as('tools-other'), 'Expensive')), false);
    const cheap = await Promise.all(times(20, () => tool('Folded', who, 'cheap')));
    assert.ok(cheap.every(passes));
    assert.deepEqual(cheap.at(-1)!.metadata, { limited: false });
    // one restricted tool among others: its own budget runs out, the user's does not
    assert.deepEqual(await outcomes([() => tool('Multi', who, 'restricted_tool'), () => tool('Multi', who, 'restricted_tool'), () => tool('Multi', who, 'other_tool')]),
      ['pass', 'block', 'pass']);
  });

  it('takes a rate with spaces and its unit in any case ("2/ MIN")', async () => {
    const who = as('tools-spaced');
    assert.deepEqual(await outcomes(times(3, () => () => tool('Spaced', who))), ['pass', 'pass', 'block']);
  });

  it('the most restrictive limit decides: a tenant of 5 blocks the sixth call of a user allowed 10', async () => {
    const who = as('tools-restrictive', 'tools-restrictive-team');
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await tool('Multi', who, 'free'));
    assert.deepEqual(results.map((r) => header(r, 'X-RateLimit-Remaining')), ['4', '3', '2', '1', '0', '0']);
    assert.deepEqual(results.map((r) => header(r, 'X-RateLimit-Limit')), ['5', '5', '5', '5', '5', '5']);
    assert.equal(passes(results[5]!), false);
  });
});

describe('ContextForge rate limiter: configs and modes', () => {
  it('with no limit configured it lets everything through, with no headers, and says it limits nothing', async () => {
    const results = await Promise.all(times(20, () => tool('Nothing', as('modes-free'))));
    assert.ok(results.every((r) => passes(r) && r.http_headers === undefined));
    assert.deepEqual(results[0]!.metadata, { limited: false });
  });

  it('permissive: a request over the limit goes on, its violation reported; disabled: never runs, so never blocks and counts nothing', async () => {
    const modes = await managerFor('rate-modes', `
plugins:${limiter('Permissive', '{ by_user: "1/hour" }', '\n    mode: "permissive"')}${limiter('Disabled', '{ by_user: "1/hour" }', '\n    mode: "disabled"')}
`);
    const call = () => modes.invokeHook('tool_pre_invoke', { name: 't', args: {} }, { request_id: 'r', user: 'modes-user' });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await call());
    assert.ok(results.every((r) => r.result.continue_processing !== false && !r.result.violation), JSON.stringify(results.at(-1)));
    // the permissive limiter did count: called on its own, it reports the request over its limit
    const direct = await modes.invokeHookForPlugin('Permissive', 'tool_pre_invoke', { name: 't', args: {} }, { request_id: 'r', user: 'modes-user' });
    assert.deepEqual([direct.violation?.code, direct.violation?.http_status_code], ['RATE_LIMIT', 429]);
  });

  it('two limiters keep apart counters: one spent leaves the other whole', async () => {
    const who = as('modes-twins');
    assert.deepEqual(await outcomes(times(3, () => () => tool('Twin', who))), ['pass', 'pass', 'block']);
    assert.equal(passes(await tool('UserTwo', who)), true);
  });
});
