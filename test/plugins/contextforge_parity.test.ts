import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { PluginManager } from '../../src/bundled.js';

/**
 * ContextForge v1.0.0's expectations for the plugins Cordon runs in their place (its test_manager.py and the
 * plugins' own tests), on configs written as ContextForge writes them (class-path kinds, its config keys), through
 * the public API, with our own payloads.
 */

const SETTINGS = `
plugin_dirs: ["plugins/native", "plugins/custom"]
plugin_settings:
  parallel_execution_within_band: true
  plugin_timeout: 30
  fail_on_plugin_error: false
  enable_plugin_api: true
  plugin_health_check_interval: 60
`;

let dir: string;
/** managers a describe block shares, shut down at the end; a test's own are shut down after it */
const shared: PluginManager[] = [];
let ownByTest: PluginManager[] | null = null;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cordon-cf-parity-'));
});
beforeEach(() => {
  ownByTest = [];
});
afterEach(async () => {
  await Promise.all((ownByTest ?? []).map((m) => m.shutdown()));
  ownByTest = null;
});
after(async () => {
  await Promise.all(shared.map((m) => m.shutdown()));
  await rm(dir, { recursive: true, force: true });
});

async function managerFor(name: string, yaml: string): Promise<PluginManager> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, `${yaml}${SETTINGS}`);
  const manager = new PluginManager(path);
  (ownByTest ?? shared).push(manager);
  await manager.initialize();
  return manager;
}

const ctx = { request_id: 'cf-parity-1', user: 'tester' };
const message = (text: string) => ({ role: 'user', content: { type: 'text', text } });

const SEARCH_REPLACE = `
  - name: "ReplaceWords"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    description: "A plugin for finding and replacing words."
    version: "0.1"
    author: "Someone"
    hooks: ["prompt_pre_fetch", "prompt_post_fetch"]
    tags: ["plugin", "transformer", "regex", "search-and-replace", "pre-post"]
    mode: "enforce"  # enforce | permissive | disabled
    priority: 150
    conditions:
      # Apply to specific tools/servers (ContextForge's empty server_ids/tenant_ids lists are issue 13's)
      - prompts: ["greeting"]
    config:
      words:
        - search: darn
          replace: drat
        - search: drat
          replace: phooey
`;
const DENY = `
  - name: "DenyWords"
    kind: "plugins.deny_filter.deny.DenyListPlugin"
    description: "A plugin that implements a deny list filter."
    version: "0.1"
    author: "Someone"
    hooks: ["prompt_pre_fetch"]
    tags: ["plugin", "filter", "denylist", "pre-post"]
    mode: "enforce"  # enforce | permissive | disabled
    priority: 100
    conditions:
      - prompts: ["greeting"]
    config:
      words:
        - synergy
        - paradigm
`;

describe('SearchReplacePlugin (test_manager.py expectations)', () => {
  it('replaces in prompt arguments and rendered messages, rule after rule', async () => {
    const manager = await managerFor('sr', `plugins:${SEARCH_REPLACE}`);
    const pre = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'greeting', args: { user: 'What a darnfest!' } }, ctx);
    assert.deepEqual(pre.result.modified_payload, { prompt_id: 'greeting', args: { user: 'What a phooeyfest!' } });
    const post = await manager.invokeHook('prompt_post_fetch',
      { prompt_id: 'greeting', result: { messages: [message("It's a drat bakery.")] } }, ctx, { localContexts: pre.contexts ?? undefined });
    assert.deepEqual(post.result.modified_payload, { prompt_id: 'greeting', result: { messages: [message("It's a phooey bakery.")] } });
    // registered for prompts only: a tool call is not touched
    const tool = await manager.invokeHook('tool_pre_invoke', { name: 'lookup', args: { input: 'darn data' } }, ctx);
    assert.equal(tool.result.continue_processing, true);
    assert.equal(tool.result.modified_payload ?? null, null);
    assert.equal(tool.result.violation ?? null, null);
  });

  it('on tool hooks with a tools condition: every string argument and result field', async () => {
    const manager = await managerFor('sr-tools', `
plugins:
  - name: "ToolWords"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    hooks: ["tool_pre_invoke", "tool_post_invoke"]
    conditions:
      - tools: ["lookup"]
    config:
      words:
        - search: poor
          replace: fine
        - search: incorrect
          replace: correct
`);
    const pre = await manager.invokeHook('tool_pre_invoke', { name: 'lookup', args: { input: 'poor input', quality: 'incorrect' } }, ctx);
    assert.deepEqual(pre.result.modified_payload, { name: 'lookup', args: { input: 'fine input', quality: 'correct' } });
    const post = await manager.invokeHook('tool_post_invoke', { name: 'lookup', result: { output: 'went poor', status: 'incorrect format' } }, ctx);
    assert.deepEqual(post.result.modified_payload, { name: 'lookup', result: { output: 'went fine', status: 'correct format' } });
    const other = await manager.invokeHook('tool_pre_invoke', { name: 'other', args: { input: 'poor' } }, ctx);
    assert.equal(other.result.modified_payload ?? null, null);
  });

  it("takes Python's regular expressions and replacement syntax", async () => {
    const manager = await managerFor('sr-python', `
plugins:
  - name: "Groups"
    kind: "plugins.regex_filter.search_replace.SearchReplacePlugin"
    hooks: ["tool_pre_invoke"]
    config:
      words:
        - search: '(?P<user>\\w+)@(\\w+)\\.test'
          replace: '\\g<user> at \\2 ($)'
        - search: '(?i)SECRET'
          replace: 'hidden'
`);
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 't', args: { to: 'ann@corp.test', note: 'Secret' } }, ctx);
    assert.deepEqual(result.modified_payload, { name: 't', args: { to: 'ann at corp ($)', note: 'hidden' } });
  });
});

describe('DenyListPlugin (test_manager.py expectations)', () => {
  it('blocks a prompt whose argument contains a denied word, with reason "Prompt not allowed" and code "deny"', async () => {
    const manager = await managerFor('deny', `plugins:${DENY}`);
    const { result } = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'greeting', args: { user: 'pure synergy' } }, ctx);
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.reason, 'Prompt not allowed');
    assert.equal(result.violation?.code, 'deny');
    assert.equal(result.violation?.description, 'A deny word was found in the prompt');
    assert.equal(result.violation?.plugin_name, 'DenyWords');
  });

  it('matches as ContextForge does: inside words and case-sensitively', async () => {
    const manager = await managerFor('deny-substring', `plugins:${DENY}`);
    const inside = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'greeting', args: { user: 'paradigmatic' } }, ctx);
    assert.equal(inside.result.violation?.code, 'deny');
    const upper = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'greeting', args: { user: 'Synergy' } }, ctx);
    assert.equal(upper.result.continue_processing, true);
    const otherPrompt = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'farewell', args: { user: 'synergy' } }, ctx);
    assert.equal(otherPrompt.result.continue_processing, true);
  });

  it('a deny list before search-replace blocks the request', async () => {
    const manager = await managerFor('deny-sr', `plugins:${DENY}${SEARCH_REPLACE}`);
    const { result } = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'greeting', args: { user: 'synergy darnfest.' } }, ctx);
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.reason, 'Prompt not allowed');
  });

  it('plugins: null runs nothing and changes nothing', async () => {
    const manager = await managerFor('none', 'plugins:\n');
    const { result, contexts } = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'greeting', args: { user: 'synergy' } }, ctx);
    assert.equal(result.continue_processing, true);
    assert.equal(result.modified_payload ?? null, null);
    assert.equal(contexts, null);
  });
});

describe('ResourceFilterPlugin (test_resource_filter.py expectations)', () => {
  let manager: PluginManager;
  before(async () => {
    manager = await managerFor('resource', `
plugins:
  - name: "ResourceRules"
    kind: "plugins.resource_filter.resource_filter.ResourceFilterPlugin"
    hooks: ["resource_pre_fetch", "resource_post_fetch"]
    mode: "enforce"
    priority: 75
    conditions: []
    config:
      max_content_size: 512
      allowed_protocols: ["http", "https", "test"]
      blocked_domains: ["bad.example", "malware.example.org"]
      content_filters:
        - pattern: "passwd\\\\s*[:=]\\\\s*\\\\S+"
          replacement: "passwd: [HIDDEN]"
        - pattern: "token[_-]?id\\\\s*[:=]\\\\s*\\\\S+"
          replacement: "token_id: [HIDDEN]"
`);
  });
  const pre = (uri: string) => manager.invokeHook('resource_pre_fetch', { uri, metadata: {} }, ctx);
  /** a fetch as the gateway runs it: pre-fetch first, its local contexts handed to the post-fetch */
  const post = async (text: string, uri = 'test://conf') => {
    const checked = await pre(uri);
    assert.equal(checked.result.continue_processing, true);
    return manager.invokeHook('resource_post_fetch', { uri, content: { type: 'resource', uri, text } }, ctx, { localContexts: checked.contexts ?? undefined });
  };

  it('lets an allowed protocol through, marking the fetch validated in its metadata', async () => {
    const { result } = await manager.invokeHook('resource_pre_fetch', { uri: 'https://fine.example/data', metadata: { trace: 'k1' } }, ctx);
    assert.equal(result.continue_processing, true);
    assert.equal(result.violation ?? null, null);
    assert.deepEqual(result.modified_payload, {
      uri: 'https://fine.example/data',
      metadata: {
        trace: 'k1', validated: true, protocol: 'https', request_id: 'cf-parity-1', user: 'tester',
        resource_filter_plugin: 'pre_fetch_validated', allowed_size: 512,
      },
    });
    assert.equal(result.metadata?.validation, 'passed');
  });

  it('leaves fetched content alone when its own pre-fetch did not validate the URI', async () => {
    const { result } = await manager.invokeHook('resource_post_fetch',
      { uri: 'test://conf', content: { type: 'resource', uri: 'test://conf', text: 'passwd: hunter22' } }, ctx);
    assert.equal(result.continue_processing, true);
    assert.equal(result.modified_payload ?? null, null);
    const large = await manager.invokeHook('resource_post_fetch', { uri: 'test://big', content: { type: 'resource', uri: 'test://big', text: 'y'.repeat(600) } }, ctx);
    assert.equal(large.result.continue_processing, true);
  });

  it('blocks a protocol not allowed: PROTOCOL_BLOCKED, "Protocol not allowed"', async () => {
    const { result } = await pre('file:///etc/hosts');
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.code, 'PROTOCOL_BLOCKED');
    assert.equal(result.violation?.reason, 'Protocol not allowed');
  });

  it('blocks a blocked domain, its subdomains, whatever its case: DOMAIN_BLOCKED, "Domain is blocked"', async () => {
    for (const uri of ['https://bad.example/x', 'https://BAD.Example/x', 'https://cdn.bad.example/x', 'http://malware.example.org/']) {
      const { result } = await pre(uri);
      assert.equal(result.continue_processing, false, uri);
      assert.equal(result.violation?.code, 'DOMAIN_BLOCKED', uri);
      assert.equal(result.violation?.reason, 'Domain is blocked', uri);
    }
    assert.equal((await pre('https://notbad.example/x')).result.continue_processing, true);
  });

  it('filters fetched text case-insensitively, keeping the rest', async () => {
    const { result } = await post('Service conf:\nPASSWD: hunter22\ntoken-id: t-999\ntoken_id=t-111\nport: 8080');
    assert.equal(result.continue_processing, true);
    const text = (result.modified_payload as { content: { text: string } }).content.text;
    assert.equal(text, 'Service conf:\npasswd: [HIDDEN]\ntoken_id: [HIDDEN]\ntoken_id: [HIDDEN]\nport: 8080');
  });

  it('blocks content over max_content_size: CONTENT_TOO_LARGE, "Content exceeds maximum size"', async () => {
    const { result } = await post('y'.repeat(600));
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.code, 'CONTENT_TOO_LARGE');
    assert.match(result.violation!.reason, /exceeds maximum size/);
    assert.equal((await post('y'.repeat(512))).result.continue_processing, true);
  });
});

describe('SchemaGuardPlugin (test_schema_guard.py expectations)', () => {
  it('passes valid arguments and results, blocks invalid ones with its codes', async () => {
    const manager = await managerFor('schema', `
plugins:
  - name: "sg"
    kind: "plugins.schema_guard.schema_guard.SchemaGuardPlugin"
    hooks: ["tool_pre_invoke", "tool_post_invoke"]
    config:
      arg_schemas:
        add:
          type: object
          required: [x, y]
          properties: { x: { type: integer }, y: { type: integer } }
      result_schemas:
        add: { type: object, required: [sum], properties: { sum: { type: number } } }
      block_on_violation: true
`);
    assert.equal((await manager.invokeHook('tool_pre_invoke', { name: 'add', args: { x: 4, y: 5 } }, ctx)).result.violation ?? null, null);
    const bad = (await manager.invokeHook('tool_pre_invoke', { name: 'add', args: { x: 4 } }, ctx)).result;
    assert.equal(bad.continue_processing, false);
    assert.deepEqual([bad.violation?.reason, bad.violation?.code], ['Schema validation failed', 'SCHEMA_GUARD_ARGS']);
    assert.equal((await manager.invokeHook('tool_post_invoke', { name: 'add', result: { sum: 9 } }, ctx)).result.violation ?? null, null);
    const badResult = (await manager.invokeHook('tool_post_invoke', { name: 'add', result: {} }, ctx)).result;
    assert.deepEqual([badResult.violation?.reason, badResult.violation?.code], ['Schema validation failed', 'SCHEMA_GUARD_RESULT']);
    assert.deepEqual([bad.violation?.description, badResult.violation?.description], ['Arguments do not conform to schema', 'Result does not conform to schema']);
    assert.deepEqual(bad.violation?.details, { errors: ['Missing required property: y'] });
    const mistyped = (await manager.invokeHook('tool_pre_invoke', { name: 'add', args: { x: 'four', y: 1.5 } }, ctx)).result;
    assert.deepEqual(mistyped.violation?.details, { errors: ['x: Type mismatch: expected integer', 'y: Type mismatch: expected integer'] });
    const notObject = (await manager.invokeHook('tool_post_invoke', { name: 'add', result: [9] }, ctx)).result;
    assert.deepEqual(notObject.violation?.details, { errors: ['Type mismatch: expected object'] });
  });

  it('with block_on_violation: false lets the call through and reports the errors; reads only the keywords ContextForge reads', async () => {
    const manager = await managerFor('schema-report', `
plugins:
  - name: "sgReport"
    kind: "plugins.schema_guard.schema_guard.SchemaGuardPlugin"
    hooks: ["tool_pre_invoke"]
    config:
      arg_schemas:
        send:
          type: object
          required: [to]
          additionalProperties: false
          properties:
            to: { type: string, format: email, minLength: 5 }
            tags: { type: array, items: { type: string, enum: [a, b] } }
      block_on_violation: false
`);
    const missing = (await manager.invokeHook('tool_pre_invoke', { name: 'send', args: { tags: ['a', 7] } }, ctx)).result;
    assert.equal(missing.continue_processing, true);
    assert.equal(missing.violation ?? null, null);
    assert.deepEqual(missing.metadata.schema_errors, ['Missing required property: to', 'tags: [1]: Type mismatch: expected string']);
    // format, minLength, enum and additionalProperties are not ContextForge's: they hold nothing back
    const loose = (await manager.invokeHook('tool_pre_invoke', { name: 'send', args: { to: 'x', tags: ['z'], extra: 1 } }, ctx)).result;
    assert.equal(loose.continue_processing, true);
    assert.deepEqual(loose.metadata.schema_errors, []);
  });

  it('lists every error it finds, however many', async () => {
    const manager = await managerFor('schema-all', `
plugins:
  - name: "sgAll"
    kind: "plugins.schema_guard.schema_guard.SchemaGuardPlugin"
    hooks: ["tool_pre_invoke"]
    config:
      arg_schemas:
        batch: { type: object, required: [rows], properties: { rows: { type: array, items: { type: integer } } } }
`);
    const rows = Array.from({ length: 25 }, (_, i) => `r${i}`);
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'batch', args: { rows } }, ctx);
    assert.equal(result.continue_processing, false);
    assert.deepEqual(result.violation?.details, { errors: rows.map((_, i) => `rows: [${i}]: Type mismatch: expected integer`) });
  });
});

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
    // with no limit that applies (no user, no tenant, no tool limit), it says so
    const anonymous = await manager.invokeHookForPlugin('LimitsPass', 'tool_pre_invoke', { name: 't', args: {} }, { request_id: 'r' });
    assert.deepEqual(anonymous.metadata, { limited: false });
    assert.equal('http_headers' in anonymous, false);
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

describe('URLReputationPlugin (test_url_reputation.py expectations)', () => {
  let manager: PluginManager;
  before(async () => {
    manager = await managerFor('urls', `
plugins:
  - name: "Urls"
    kind: "cpex_url_reputation.URLReputationPlugin"
    hooks: ["resource_pre_fetch"]
    mode: "enforce"
    conditions: []
    config:
      whitelist_domains: ["docs.partner.example"]
      allowed_patterns: []
      blocked_domains: ["shady.example"]
      blocked_patterns: ["backoffice", "signin"]
      use_heuristic_check: false
      entropy_threshold: 3.5
      block_non_secure_http: false
`);
  });
  const fetch = async (uri: string) => (await manager.invokeHook('resource_pre_fetch', { uri, metadata: {} }, ctx)).result;

  it('blocks a blocked domain and its subdomains with reason "Blocked domain"', async () => {
    for (const uri of ['https://shady.example/a', 'https://cdn.shady.example/a']) {
      const result = await fetch(uri);
      assert.equal(result.continue_processing, false, uri);
      assert.equal(result.violation?.reason, 'Blocked domain', uri);
      assert.equal(result.violation?.code, 'URL_REPUTATION_BLOCK', uri);
    }
  });

  it('blocks a URL matching a blocked pattern with reason "Blocked pattern"', async () => {
    const result = await fetch('https://fine.example/backoffice/home');
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.reason, 'Blocked pattern');
  });

  it('lets a whitelisted domain and its subdomains through, and clean URLs', async () => {
    assert.equal((await fetch('https://api.docs.partner.example/signin')).continue_processing, true);
    assert.equal((await fetch('https://fine.example/page')).continue_processing, true);
  });

  it('blocks plain http unless block_non_secure_http is false, and lets allowed_patterns through first', async () => {
    const strict = await managerFor('urls-https', `
plugins:
  - name: "UrlsHttps"
    kind: "cpex_url_reputation.URLReputationPlugin"
    hooks: ["resource_pre_fetch"]
    config:
      allowed_patterns: ['^https://mirror\\.partner\\.example/']
      blocked_domains: ["partner.example"]
      blocked_patterns: ["signin"]
`);
    const fetchOn = async (uri: string) => (await strict.invokeHook('resource_pre_fetch', { uri, metadata: {} }, ctx)).result;
    const plain = await fetchOn('http://plain.example/page');
    assert.equal(plain.continue_processing, false);
    assert.deepEqual([plain.violation?.reason, plain.violation?.code], ['Blocked non secure http url', 'URL_REPUTATION_BLOCK']);
    assert.equal((await fetchOn('https://plain.example/page')).continue_processing, true);
    // an allowed pattern wins over the blocked domain and the blocked pattern it also matches
    assert.equal((await fetchOn('https://mirror.partner.example/signin')).continue_processing, true);
    assert.equal((await fetchOn('https://www.partner.example/')).violation?.reason, 'Blocked domain');
  });

  it("matches its patterns against the URL as written, case included; a leading (?i) ignores case", async () => {
    const cased = await managerFor('urls-case', `
plugins:
  - name: "UrlsCase"
    kind: "cpex_url_reputation.URLReputationPlugin"
    hooks: ["resource_pre_fetch"]
    config:
      allowed_patterns: ['/Public/']
      blocked_patterns: ["Admin", "(?i)token="]
      block_non_secure_http: false
`);
    const fetchOn = async (uri: string) => (await cased.invokeHook('resource_pre_fetch', { uri, metadata: {} }, ctx)).result;
    assert.equal((await fetchOn('https://site.example/Admin/panel')).violation?.reason, 'Blocked pattern');
    assert.equal((await fetchOn('https://site.example/admin/panel')).continue_processing, true);
    assert.equal((await fetchOn('https://site.example/q?TOKEN=1')).violation?.reason, 'Blocked pattern');
    // an allowed pattern is read with case too: /public/ is not /Public/
    assert.equal((await fetchOn('https://site.example/Public/Admin')).continue_processing, true);
    assert.equal((await fetchOn('https://site.example/public/Admin')).violation?.reason, 'Blocked pattern');
  });

  it('refuses the heuristic keys it cannot honour, naming plugin and key', async () => {
    await assert.rejects(managerFor('urls-heuristic', `
plugins:
  - name: "Heuristic"
    kind: "cpex_url_reputation.URLReputationPlugin"
    hooks: ["resource_pre_fetch"]
    config: { blocked_domains: [], use_heuristic_check: true }
`), /plugins\[0\]\.config\.use_heuristic_check: plugin "Heuristic": use_heuristic_check: true has no equivalent in Cordon's url_reputation.*kind: external/);
  });
});

describe('OutputLengthGuardPlugin (output_length_guard expectations)', () => {
  it('truncates to max_chars with the ellipsis inside the limit', async () => {
    const manager = await managerFor('length', `
plugins:
  - name: "Length"
    kind: "plugins.output_length_guard.output_length_guard.OutputLengthGuardPlugin"
    hooks: ["tool_post_invoke"]
    mode: "enforce"
    config: { min_chars: 0, max_chars: 10, strategy: "truncate", ellipsis: "..." }
`);
    const { result } = await manager.invokeHook('tool_post_invoke', { name: 't', result: 'abcdefghijklmnop' }, ctx);
    assert.deepEqual(result.modified_payload, { name: 't', result: 'abcdefg...' });
    const short = await manager.invokeHook('tool_post_invoke', { name: 't', result: 'abcdefghij' }, ctx);
    assert.equal(short.result.modified_payload ?? null, null);
  });

  it('blocks over max_chars with reason "Output length out of bounds" and code OUTPUT_LENGTH_VIOLATION', async () => {
    const manager = await managerFor('length-block', `
plugins:
  - name: "LengthBlock"
    kind: "plugins.output_length_guard.output_length_guard.OutputLengthGuardPlugin"
    hooks: ["tool_post_invoke"]
    mode: "enforce"
    config: { max_chars: 5, strategy: "block" }
`);
    const { result } = await manager.invokeHook('tool_post_invoke', { name: 't', result: 'too long here' }, ctx);
    assert.equal(result.continue_processing, false);
    assert.deepEqual([result.violation?.reason, result.violation?.code], ['Output length out of bounds', 'OUTPUT_LENGTH_VIOLATION']);
  });
});

describe('OutputLengthGuardPlugin: tokens, word boundaries, minimum, numbers (test_output_length_guard.py expectations)', () => {
  const LENGTH_KIND = 'plugins.output_length_guard.output_length_guard.OutputLengthGuardPlugin';
  const guard = (name: string, config: string) => managerFor(name, `
plugins:
  - name: "${name}"
    kind: "${LENGTH_KIND}"
    hooks: ["tool_post_invoke"]
    mode: "enforce"
    config: ${config}
`);
  const post = async (manager: PluginManager, result: unknown) => (await manager.invokeHook('tool_post_invoke', { name: 'echo', result }, ctx)).result;

  it('word_boundary cuts after the last space or punctuation in the final fifth, else mid-word; off, it cuts at the limit', async () => {
    const wb = await guard('len-wb', '{ min_chars: 0, max_chars: 20, strategy: "truncate", ellipsis: "…", word_boundary: true }');
    assert.deepEqual((await post(wb, 'Pack my box with five dozen jugs')).modified_payload, { name: 'echo', result: 'Pack my box with …' });
    assert.deepEqual((await post(wb, 'Nine, ten! Eleven; twelve')).modified_payload, { name: 'echo', result: 'Nine, ten! Eleven; …' });
    assert.deepEqual((await post(wb, 'Pneumonoultramicroscopic')).modified_payload, { name: 'echo', result: 'Pneumonoultramicros…' });
    assert.equal((await post(wb, 'Brief words')).modified_payload ?? null, null);
    const hard = await guard('len-hard', '{ min_chars: 0, max_chars: 20, strategy: "truncate", ellipsis: "…", word_boundary: false }');
    assert.deepEqual((await post(hard, 'Pack my box with five dozen jugs')).modified_payload, { name: 'echo', result: 'Pack my box with fi…' });
    const list = await guard('len-wb-list', '{ min_chars: 0, max_chars: 15, strategy: "truncate", ellipsis: "…", word_boundary: true }');
    assert.deepEqual((await post(list, ['Sphinx of black quartz', 'judge my vow now please', 'Tiny'])).modified_payload,
      { name: 'echo', result: ['Sphinx of blac…', 'judge my vow …', 'Tiny'] });
  });

  it('limit_mode token: the budget is max_tokens x chars_per_token characters, then the ellipsis; max_chars is not read', async () => {
    const tokens = await guard('len-tok', '{ limit_mode: "token", max_chars: 50, max_tokens: 100, chars_per_token: 4, strategy: "truncate" }');
    const cut = (await post(tokens, ['q'.repeat(500), 'r'.repeat(500)])).modified_payload as { result: string[] };
    assert.deepEqual(cut.result, [`${'q'.repeat(400)}…`, `${'r'.repeat(400)}…`]);
    // 403 characters estimate at 100 tokens: within the budget, though past max_chars
    assert.equal((await post(tokens, 's'.repeat(403))).modified_payload ?? null, null);
    const chars = await guard('len-chr', '{ limit_mode: "character", max_chars: 100, max_tokens: 50, strategy: "truncate" }');
    assert.equal(((await post(chars, 'q'.repeat(500))).modified_payload as { result: string }).result.length, 100);
    // case and spaces as ContextForge normalizes them; an MCP result's text items, one by one
    const small = await guard('len-tok-mcp', '{ limit_mode: " Token ", max_tokens: 5, chars_per_token: 4, max_chars: null, min_chars: 0, strategy: "truncate", ellipsis: "..." }');
    assert.deepEqual((await post(small, { content: [{ type: 'text', text: 'c'.repeat(40) }, { type: 'text', text: 'ok' }] })).modified_payload,
      { name: 'echo', result: { content: [{ type: 'text', text: `${'c'.repeat(20)}...` }, { type: 'text', text: 'ok' }] } });
  });

  it('blocks over max_tokens with OUTPUT_TOKEN_VIOLATION and its wording, HTTP 422', async () => {
    const manager = await guard('len-tok-block', '{ limit_mode: "token", max_chars: 50, max_tokens: 50, chars_per_token: 4, strategy: "block" }');
    const result = await post(manager, 'z'.repeat(500));
    assert.equal(result.continue_processing, false);
    assert.deepEqual(
      [result.violation?.reason, result.violation?.description, result.violation?.code, result.violation?.http_status_code],
      ['Output estimated token count out of bounds', 'Estimated token count 125 exceeds max_tokens 50', 'OUTPUT_TOKEN_VIOLATION', 422],
    );
    assert.deepEqual(result.violation?.details, { token_count: 125, max_tokens: 50, chars_per_token: 4, strategy: 'block' });
  });

  it('min_chars: blocks a result under it with "Output length below minimum"; in truncate mode lets it through', async () => {
    const block = await guard('len-min', '{ min_chars: 10, max_chars: 100, strategy: "block" }');
    const short = await post(block, { content: [{ type: 'text', text: 'tiny' }] });
    assert.equal(short.continue_processing, false);
    assert.deepEqual([short.violation?.reason, short.violation?.description, short.violation?.code],
      ['Output length below minimum', 'Result length 4 (tokens 1) below minimum', 'OUTPUT_LENGTH_VIOLATION']);
    assert.equal((await post(block, 'long enough text')).continue_processing, true);
    const truncate = await guard('len-min-trunc', '{ min_chars: 10, max_chars: 100, strategy: "truncate" }');
    const let_ = await post(truncate, 'tiny');
    assert.equal(let_.continue_processing, true);
    assert.equal(let_.modified_payload ?? null, null);
  });

  it('blocks a list or nested result holding one long string; numbers written as strings are never limited', async () => {
    const manager = await guard('len-list', '{ min_chars: 0, max_chars: 10, strategy: "block", ellipsis: "..." }');
    assert.equal((await post(manager, ['brief', 'ok', 'fine'])).violation ?? null, null);
    const list = await post(manager, ['brief', 'this_string_runs_far_past_ten', 'ok']);
    assert.deepEqual([list.continue_processing, list.violation?.code], [false, 'OUTPUT_LENGTH_VIOLATION']);
    const nested = await post(manager, { content: [{ type: 'text', text: 'x' }], structuredContent: { result: ['ok', 'this_string_runs_far_past_ten'] } });
    assert.deepEqual([nested.continue_processing, nested.violation?.code], [false, 'OUTPUT_LENGTH_VIOLATION']);
    const numbers = await post(manager, ['987654321098765', '3.14159265358979', '6.0221409e+23', '-1_000_000_000']);
    assert.equal(numbers.continue_processing, true);
    assert.equal(numbers.violation ?? null, null);
  });

  it('an ellipsis too long for max_chars: a hard cut without it; max_chars 0 or absent: no maximum', async () => {
    const tight = await guard('len-tight', '{ max_chars: 3, ellipsis: "...", strategy: "truncate" }');
    assert.deepEqual((await post(tight, 'abcdef')).modified_payload, { name: 'echo', result: 'abc' });
    const off = await guard('len-off', '{ max_chars: 0, strategy: "block" }');
    assert.equal((await post(off, 'w'.repeat(20_000))).continue_processing, true);
    const absent = await guard('len-absent', '{ strategy: "block" }');
    assert.equal((await post(absent, 'w'.repeat(20_000))).continue_processing, true);
  });
});

describe('OutputLengthGuardPlugin: an MCP result with structured content (output_length_guard.py, structured.py)', () => {
  const guard = (name: string, config: string) => managerFor(name, `
plugins:
  - name: "${name}"
    kind: "plugins.output_length_guard.output_length_guard.OutputLengthGuardPlugin"
    hooks: ["tool_post_invoke"]
    config: ${config}
`);
  const post = async (manager: PluginManager, result: unknown) => (await manager.invokeHook('tool_post_invoke', { name: 'report', result }, ctx)).result;
  const untouched = { type: 'text', text: 'the original rendering, far longer than ten characters' };

  it('limits only the strings of structuredContent, numbers written as strings skipped, and rewrites content from it', async () => {
    const manager = await guard('len-structured', '{ max_chars: 10, ellipsis: "...", strategy: "truncate" }');
    const { modified_payload, metadata } = await post(manager, {
      content: [untouched],
      structuredContent: { items: ['Quarterly revenue grew', '12345678901234', 'ok', 7] },
      isError: false,
    });
    assert.deepEqual(modified_payload, {
      name: 'report',
      result: {
        // a one-key object is written as its value, a list as compact JSON
        content: [{ type: 'text', text: '["Quarter...","12345678901234","ok",7]' }],
        structuredContent: { items: ['Quarter...', '12345678901234', 'ok', 7] },
        isError: false,
      },
    });
    assert.deepEqual(metadata, { mcp_result_processed: true, items_modified: true, structured_content_processed: true, min_tokens: 0, max_tokens: null, chars_per_token: 4 });
    // a structure that holds nothing too long leaves the result alone, long content included
    const fine = await post(manager, { content: [untouched], structuredContent: { n: 'short', m: 'fine' } });
    assert.equal(fine.modified_payload ?? null, null);
    assert.deepEqual(fine.metadata, { mcp_result_processed: true, items_modified: false, structured_content_processed: false });
  });

  it('writes the text as ContextForge does: single-key objects unwrapped down to a string, other objects as compact JSON', async () => {
    const manager = await guard('len-structured-text', '{ max_chars: 12, ellipsis: "~", strategy: "truncate" }');
    const nested = await post(manager, { content: [], structured_content: { report: { summary: 'an overlong summary line' } } });
    assert.deepEqual(nested.modified_payload, {
      name: 'report',
      result: { content: [{ type: 'text', text: 'an overlong~' }], structured_content: { report: { summary: 'an overlong~' } } },
    });
    const wide = await post(manager, { content: [untouched], structuredContent: { city: 'Zürich café district', pop: 421878, ok: true, none: null } });
    assert.deepEqual((wide.modified_payload as { result: { content: unknown } }).result.content,
      [{ type: 'text', text: '{"city":"Zürich café~","pop":421878,"ok":true,"none":null}' }]);
    // a null structuredContent is no structured content: content's text is limited as before
    const plain = await post(manager, { content: [{ type: 'text', text: 'an overlong summary line' }], structuredContent: null });
    assert.deepEqual((plain.modified_payload as { result: { content: unknown } }).result.content, [{ type: 'text', text: 'an overlong~' }]);
  });

  it('blocks on the first string out of bounds, naming where it is, with structured_content_blocked metadata', async () => {
    const manager = await guard('len-structured-block', '{ max_chars: 10, strategy: "block" }');
    const { continue_processing, violation, metadata } = await post(manager, {
      content: [untouched],
      structuredContent: { rows: [{ name: 'ok', id: '123456789012345' }, { name: 'a very long name' }, { name: 'another long one' }] },
    });
    assert.equal(continue_processing, false);
    assert.deepEqual(violation, {
      reason: 'String length out of bounds at rows[1].name',
      description: 'String length 16 exceeds max_chars 10 at rows[1].name',
      code: 'OUTPUT_LENGTH_VIOLATION',
      details: { length: 16, max_chars: 10, strategy: 'block', location: 'rows[1].name' },
      http_status_code: 422,
      mcp_error_code: -32000,
      plugin_name: 'len-structured-block',
    });
    assert.deepEqual(metadata, { structured_content_blocked: true, location: 'structuredContent', min_tokens: 0, max_tokens: null, chars_per_token: 4 });
    const tokens = await guard('len-structured-tokens', '{ limit_mode: "token", max_tokens: 2, min_tokens: 1, strategy: "block" }');
    const short = await post(tokens, { content: [], structuredContent: 'hi' });
    assert.deepEqual([short.violation?.reason, short.violation?.description, short.violation?.details], [
      'String length/tokens below minimum', 'String length 2 or tokens 0 below minimum',
      { length: 2, min_chars: 0, token_count: 0, min_tokens: 1, location: 'root' },
    ]);
    const long = await post(tokens, { content: [], structured_content: ['fine', 'twelve chars'] });
    assert.deepEqual([long.violation?.reason, long.violation?.code, long.violation?.details], [
      'Estimated token count out of bounds at [1]', 'OUTPUT_TOKEN_VIOLATION',
      { token_count: 3, max_tokens: 2, chars_per_token: 4, strategy: 'block', location: '[1]' },
    ]);
    assert.equal(long.metadata.location, 'structured_content');
  });
});

describe('HeaderInjectorPlugin (header_injector expectations)', () => {
  it('merges its headers into a resource fetch, only for the configured URI prefixes', async () => {
    const manager = await managerFor('headers', `
plugins:
  - name: "Headers"
    kind: "plugins.header_injector.header_injector.HeaderInjectorPlugin"
    hooks: ["resource_pre_fetch"]
    mode: "enforce"
    config:
      headers: { User-Agent: "Gateway-Test/2.0", X-Trace: "on" }
      uri_prefixes: ["https://api.partner.example/"]
`);
    const { result } = await manager.invokeHook('resource_pre_fetch',
      { uri: 'https://api.partner.example/v1/doc', metadata: { headers: { Accept: 'text/plain', 'user-agent': 'old' }, other: 1 } }, ctx);
    assert.deepEqual(result.modified_payload, {
      uri: 'https://api.partner.example/v1/doc',
      metadata: { headers: { Accept: 'text/plain', 'User-Agent': 'Gateway-Test/2.0', 'X-Trace': 'on' }, other: 1 },
    });
    const elsewhere = await manager.invokeHook('resource_pre_fetch', { uri: 'https://other.example/', metadata: {} }, ctx);
    assert.equal(elsewhere.result.modified_payload ?? null, null);
  });
});

describe('PIIFilterPlugin and SecretsDetectionPlugin, as ContextForge configures them', () => {
  it('redacts with its redaction_text, keeps whitelisted values, and blocks when block_on_detection', async () => {
    const manager = await managerFor('pii', `
plugins:
  - name: "PII"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    mode: "enforce"
    config:
      detect_email: true
      detect_phone: false
      default_mask_strategy: "redact"
      redaction_text: "[PII_GONE]"
      block_on_detection: false
      log_detections: true
      whitelist_patterns: ["helpdesk@corp\\\\.example"]
  - name: "PIIBlock"
    kind: "plugins.pii_filter.pii_filter.PIIFilterPlugin"
    hooks: ["prompt_pre_fetch"]
    config: { block_on_detection: true }
`);
    const { result } = await manager.invokeHook('tool_pre_invoke',
      { name: 'mail', args: { to: 'dana.k@mail.example', cc: 'helpdesk@corp.example' } }, ctx);
    assert.deepEqual(result.modified_payload, { name: 'mail', args: { to: '[PII_GONE]', cc: 'helpdesk@corp.example' } });
    const blocked = (await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'p', args: { who: 'dana.k@mail.example' } }, ctx)).result;
    assert.equal(blocked.continue_processing, false);
    assert.deepEqual([blocked.violation?.reason, blocked.violation?.code], ['PII detected in prompt arguments', 'PII_DETECTED']);
  });

  it("masks with ContextForge's partial format, type by type", async () => {
    const manager = await managerFor('pii-partial', `
plugins:
  - name: "PIIPartial"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_post_invoke"]
    mode: "enforce"
    config:
      detect_ssn: true
      detect_credit_card: true
      detect_email: true
      detect_phone: true
      detect_ip_address: true
      detect_bsn: false
      detect_date_of_birth: false
      detect_passport: false
      detect_driver_license: false
      detect_medical_record: false
      default_mask_strategy: "partial"
      redaction_text: "[PII_REDACTED]"
      block_on_detection: false
      log_detections: true
      include_detection_details: true
`);
    const { result } = await manager.invokeHook('tool_post_invoke', {
      name: 'crm',
      result: {
        owner: 'maria.lopez@mail.example', short: 'bo@x.example', ssn: 'SSN 512-44-7391 on file',
        card: '5500 0000 0000 0004', phone: 'call (415) 555-0132', host: '10.20.30.40',
      },
    }, ctx);
    assert.deepEqual(result.modified_payload, {
      name: 'crm',
      result: {
        owner: 'm***z@mail.example', short: '***@x.example', ssn: 'SSN ***-**-7391 on file',
        card: '****-****-****-0004', phone: 'call ***-***-0132', host: '1*********0',
      },
    });
  });

  it('hash writes [HASH:<16 hex>], the same for the same value within a run', async () => {
    const manager = await managerFor('pii-hash', `
plugins:
  - name: "PIIHash"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    config: { default_mask_strategy: "hash", detect_email: true, detect_ssn: true }
`);
    const { result } = await manager.invokeHook('tool_pre_invoke',
      { name: 'mail', args: { a: 'dana.k@mail.example', b: 'dana.k@mail.example', c: 'lee.p@mail.example', d: 'SSN 512-44-7391' } }, ctx);
    const args = (result.modified_payload as { args: Record<string, string> }).args;
    for (const value of [args.a, args.b, args.c]) assert.match(value!, /^\[HASH:[0-9a-f]{16}\]$/);
    assert.match(args.d!, /^SSN \[HASH:[0-9a-f]{16}\]$/);
    assert.equal(args.a, args.b);
    assert.notEqual(args.a, args.c);
  });

  it("remove leaves nothing in place of what it finds, whatever redaction_text says", async () => {
    const manager = await managerFor('pii-remove', `
plugins:
  - name: "PIIRemove"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    config: { default_mask_strategy: "remove", redaction_text: "[GONE]" }
`);
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'mail', args: { to: 'write to dana.k@mail.example today' } }, ctx);
    assert.deepEqual(result.modified_payload, { name: 'mail', args: { to: 'write to  today' } });
  });

  it('blocks with the reason and code ContextForge gives for each hook, counting the types found', async () => {
    const manager = await managerFor('pii-block-hooks', `
plugins:
  - name: "PIIStrict"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["prompt_pre_fetch", "prompt_post_fetch", "tool_pre_invoke", "tool_post_invoke"]
    config: { block_on_detection: true }
`);
    const who = 'reach ann.b@mail.example or 512-44-7391';
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['prompt_pre_fetch', { prompt_id: 'p', args: { who } }, 'PII detected in prompt arguments', 'PII_DETECTED'],
      ['prompt_post_fetch', { prompt_id: 'p', result: { messages: [message(who)] } }, 'PII detected in prompt messages', 'PII_DETECTED_IN_PROMPT_RESULT'],
      ['tool_pre_invoke', { name: 't', args: { who } }, 'PII detected in tool arguments', 'PII_DETECTED_IN_TOOL_ARGS'],
      ['tool_post_invoke', { name: 't', result: { who } }, 'PII detected in tool result', 'PII_DETECTED_IN_TOOL_RESULT'],
    ];
    for (const [hook, payload, reason, code] of cases) {
      const { result } = await manager.invokeHook(hook as 'tool_pre_invoke', payload as { name: string; args: Record<string, unknown> }, ctx);
      assert.equal(result.continue_processing, false, hook);
      assert.deepEqual([result.violation?.reason, result.violation?.code], [reason, code], hook);
      assert.deepEqual(result.violation?.details, { detected_types: ['email', 'ssn'], count: 2 }, hook);
    }
  });

  it('finds the ids its defaults switch on behind their labels, label and all, and only there', async () => {
    const manager = await managerFor('pii-labelled', `
plugins:
  - name: "PIIDefaults"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    mode: "enforce"
    config:
      default_mask_strategy: "redact"
      block_on_detection: false
  - name: "PIIPartialDefaults"
    kind: "plugins.pii_filter.pii_filter.PIIFilterPlugin"
    hooks: ["tool_post_invoke"]
    config: { default_mask_strategy: "partial" }
`);
    const found = {
      dob: 'Patient DOB: 07/04/1982, admitted',
      born: 'she was born on 11/30/1979 in Utrecht',
      passport: 'Passport Number: NX4417203',
      licence: "Driver's License: K5520193",
      mrn: 'MRN: 00451877',
      bsn: 'BSN: 204118736',
      account: 'wire to Account: 7702913355',
      iban: 'IBAN NL91ABNA0417164300',
    };
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'intake', args: found }, ctx);
    assert.deepEqual(result.modified_payload, {
      name: 'intake',
      args: {
        dob: 'Patient [REDACTED], admitted',
        born: 'she was born on [REDACTED] in Utrecht',
        passport: '[REDACTED]',
        licence: '[REDACTED]',
        mrn: '[REDACTED]',
        bsn: '[REDACTED]',
        account: 'wire to [REDACTED]',
        iban: 'IBAN [REDACTED]',
      },
    });
    // an IBAN is one of ContextForge's bank accounts
    assert.deepEqual(result.metadata, {
      pii_found: 8,
      pii_types: { date_of_birth: 2, passport: 1, driver_license: 1, medical_record: 1, bsn: 1, bank_account: 2 },
    });
    const partial = (await manager.invokeHook('tool_post_invoke', { name: 'intake', result: found }, ctx)).result;
    assert.deepEqual(partial.modified_payload, {
      name: 'intake',
      result: {
        dob: 'Patient D*************2, admitted',
        born: 'she was born on 1********9 in Utrecht',
        passport: `P${'*'.repeat(24)}3`,
        licence: `D${'*'.repeat(24)}3`,
        mrn: 'M***********7',
        bsn: '*****8736',
        account: `wire to Ac${'*'.repeat(13)}3355`,
        iban: `IBAN NL${'*'.repeat(12)}4300`,
      },
    });
    // (ContextForge's partial keeps a value's first and last character, the label's first letter here; a BSN's last
    // four behind five stars; a bank account's first two and last four, label and all)
    // the same ids without their label are left alone
    const alone = { ids: 'order 77029133, ticket 204118736, ref NX4417203', short: 'MRN: 12345, DL 1234' };
    const plain = (await manager.invokeHook('tool_pre_invoke', { name: 'intake', args: alone }, ctx)).result;
    assert.equal(plain.modified_payload ?? null, null);
  });

  it('finds what its wider patterns find: an SSN without separators behind its label, any MM/DD/YYYY date, ids of letters', async () => {
    const manager = await managerFor('pii-wide', `
plugins:
  - name: "PIIWide"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    config:
      detect_ssn: true
      detect_bsn: false
      detect_phone: false
      detect_bank_account: false
      default_mask_strategy: "redact"
  - name: "PIIWidePartial"
    kind: "plugins.pii_filter.pii_filter.PIIFilterPlugin"
    hooks: ["tool_post_invoke"]
    config: { default_mask_strategy: "partial", detect_phone: false }
`);
    const text = {
      ssn: 'SSN: 512447391',
      social: 'Social Security Number 512447391 on file',
      date: 'the release of 07/04/2025',
      words: 'License: Apache, Passport: expired, MRN: pending',
      // invalid SSNs stay invalid, and other years are not dates of birth
      invalid: 'SSN: 000447391, SSN 666123456, SSN: 912447391, in 07/04/1875',
    };
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'intake', args: text }, ctx);
    assert.deepEqual(result.modified_payload, {
      name: 'intake',
      args: {
        ssn: '[REDACTED]',
        social: '[REDACTED] on file',
        date: 'the release of [REDACTED]',
        words: '[REDACTED], [REDACTED], [REDACTED]',
        invalid: text.invalid,
      },
    });
    assert.deepEqual(result.metadata, { pii_found: 6, pii_types: { ssn: 2, date_of_birth: 1, driver_license: 1, passport: 1, medical_record: 1 } });
    const partial = (await manager.invokeHook('tool_post_invoke', { name: 'intake', result: { ssn: text.ssn, date: text.date } }, ctx)).result;
    assert.deepEqual(partial.modified_payload, { name: 'intake', result: { ssn: '***-**-7391', date: 'the release of 0********5' } });
  });

  it('names the types it found in a block as ContextForge does, and a detector switched off finds nothing', async () => {
    const manager = await managerFor('pii-labelled-block', `
plugins:
  - name: "PIIBlockAll"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke"]
    config: { block_on_detection: true }
  - name: "PIINoBirthDates"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_post_invoke"]
    config:
      block_on_detection: true
      detect_date_of_birth: false
      detect_bank_account: false
`);
    const args = { note: 'Citizen Service Number 204118736, MRN: 00451877, IBAN NL91ABNA0417164300' };
    const blocked = (await manager.invokeHook('tool_pre_invoke', { name: 'intake', args }, ctx)).result;
    assert.equal(blocked.continue_processing, false);
    assert.deepEqual(blocked.violation?.details, { detected_types: ['bank_account', 'bsn', 'medical_record'], count: 3 });
    const off = (await manager.invokeHook('tool_post_invoke',
      { name: 'intake', result: { note: 'DOB: 07/04/1982, Account: 7702913355, IBAN NL91ABNA0417164300' } }, ctx)).result;
    assert.equal(off.continue_processing, true);
    assert.equal(off.modified_payload ?? null, null);
  });

  it('blocks a secret of an enabled type, and lets a disabled type through', async () => {
    const manager = await managerFor('secrets', `
plugins:
  - name: "Secrets"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["tool_pre_invoke"]
    mode: "enforce"
    config:
      enabled: { aws_access_key_id: true, slack_token: false }
      redact: false
      block_on_detection: true
      min_findings_to_block: 1
`);
    const aws = (await manager.invokeHook('tool_pre_invoke', { name: 't', args: { key: 'AKIAZ7QX4MNB2KDRWQ3P' } }, ctx)).result;
    assert.equal(aws.continue_processing, false);
    const slack = (await manager.invokeHook('tool_pre_invoke', { name: 't', args: { key: 'xoxb-2048-4096-AbCdEfGhIjKlMnOpQrStUv' } }, ctx)).result;
    assert.equal(slack.continue_processing, true);
  });

  it('finds its default set unless enabled says otherwise (a type not named keeps its default), and nothing it has no pattern for', async () => {
    const manager = await managerFor('secrets-defaults', `
plugins:
  - name: "SecretsDefault"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["tool_post_invoke"]
    config: { redact: false, block_on_detection: false }
  - name: "SecretsBroad"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["prompt_pre_fetch"]
    config:
      enabled: { jwt_like: true, generic_api_key_assignment: true, github_token: false }
      block_on_detection: false
`);
    const samples = {
      aws: 'key AKIAZ7QX4MNB2KDRWQ3P',
      github: 'token ghp_Zq8Lw2Xv9Rt4Ym6Kp1Nb7Hc3Jd5Fg0Se2UaQ',
      stripe: 'sk_live_4eC39HqLyjWDarjtT1zdp7dcQ9',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.Xk3v9QpL2mZr8TnW4yB6cD1fG7hJ0sA5eU',
      generic: 'api_key = "Q7mZ2xLw9Rt4Yv6Kp1Nb8Hc3"',
      // no ContextForge pattern finds these
      password: 'db password = "Tr0ub4dor&3x!"',
      webhook: 'https://hooks.slack.com/services/T0ABCDEFG/B0HIJKLMN/AbCdEfGhIjKlMnOpQrStUvWx',
    };
    const types = (metadata: Record<string, unknown>) => (metadata.secrets_findings as Array<{ type: string }>).map((f) => f.type).sort();
    const defaults = (await manager.invokeHook('tool_post_invoke', { name: 't', result: samples }, ctx)).result;
    assert.deepEqual(types(defaults.metadata), ['aws_access_key_id', 'github_token', 'stripe_secret_key']);
    const broad = (await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'p', args: samples }, ctx)).result;
    assert.deepEqual(types(broad.metadata), ['aws_access_key_id', 'generic_api_key_assignment', 'jwt_like', 'stripe_secret_key']);
  });

  it("blocks with its reason and where it looked, and redacts with its ***REDACTED*** when told to redact instead", async () => {
    const manager = await managerFor('secrets-cf', `
plugins:
  - name: "SecretsBlock"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["prompt_pre_fetch"]
    config: { enabled: { aws_access_key_id: true } }
  - name: "SecretsRedact"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["tool_post_invoke"]
    config: { enabled: { aws_access_key_id: true }, redact: true, block_on_detection: false }
`);
    const blocked = (await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'p', args: { key: 'use AKIAZ7QX4MNB2KDRWQ3P' } }, ctx)).result;
    assert.equal(blocked.continue_processing, false);
    assert.deepEqual([blocked.violation?.reason, blocked.violation?.description, blocked.violation?.code],
      ['Secrets detected', 'Potential secrets detected in prompt arguments', 'SECRETS_DETECTED']);
    const redacted = (await manager.invokeHook('tool_post_invoke', { name: 't', result: { out: 'key AKIAZ7QX4MNB2KDRWQ3P set' } }, ctx)).result;
    assert.deepEqual(redacted.modified_payload, { name: 't', result: { out: 'key ***REDACTED*** set' } });
    assert.deepEqual(redacted.metadata, { secrets_redacted: true, count: 1 });
    assert.deepEqual(blocked.violation?.details, { count: 1, examples: [{ type: 'aws_access_key_id' }] });
  });

  it('block_on_detection: false without redact reports the findings in metadata and lets the call through unchanged', async () => {
    const manager = await managerFor('secrets-report', `
plugins:
  - name: "SecretsReport"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["prompt_pre_fetch"]
    config: { enabled: { aws_access_key_id: true }, redact: false, block_on_detection: false }
`);
    const { result } = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'p', args: { key: 'use AKIAZ7QX4MNB2KDRWQ3P' } }, ctx);
    assert.equal(result.continue_processing, true);
    assert.equal(result.violation ?? null, null);
    assert.equal(result.modified_payload ?? null, null);
    assert.deepEqual(result.metadata, { secrets_findings: [{ type: 'aws_access_key_id' }], count: 1 });
  });

  it('min_findings_to_block: fewer findings pass (redacted when redact is true), as many block', async () => {
    const manager = await managerFor('secrets-threshold', `
plugins:
  - name: "SecretsTwo"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["tool_pre_invoke"]
    config: { enabled: { aws_access_key_id: true }, redact: false, block_on_detection: true, min_findings_to_block: 2 }
  - name: "SecretsTwoRedact"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["tool_post_invoke"]
    config: { enabled: { aws_access_key_id: true }, redact: true, redaction_text: "[KEY]", min_findings_to_block: 2 }
`);
    const one = (await manager.invokeHook('tool_pre_invoke', { name: 't', args: { a: 'AKIAZ7QX4MNB2KDRWQ3P' } }, ctx)).result;
    assert.equal(one.continue_processing, true);
    assert.equal(one.modified_payload ?? null, null);
    assert.deepEqual(one.metadata, { secrets_findings: [{ type: 'aws_access_key_id' }], count: 1 });
    const two = (await manager.invokeHook('tool_pre_invoke', { name: 't', args: { a: 'AKIAZ7QX4MNB2KDRWQ3P', b: 'AKIAQ3MV7KXR7TZP2LWN' } }, ctx)).result;
    assert.equal(two.continue_processing, false);
    assert.deepEqual(two.violation?.details, { count: 2, examples: [{ type: 'aws_access_key_id' }, { type: 'aws_access_key_id' }] });
    const redacted = (await manager.invokeHook('tool_post_invoke', { name: 't', result: { a: 'key AKIAZ7QX4MNB2KDRWQ3P' } }, ctx)).result;
    assert.deepEqual(redacted.modified_payload, { name: 't', result: { a: 'key [KEY]' } });
    assert.deepEqual(redacted.metadata, { secrets_redacted: true, count: 1 });
    const blocked = (await manager.invokeHook('tool_post_invoke', { name: 't', result: { a: 'AKIAZ7QX4MNB2KDRWQ3P AKIAQ3MV7KXR7TZP2LWN' } }, ctx)).result;
    assert.equal(blocked.continue_processing, false);
  });
});
