import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { PluginViolationError } from '../../src/index.js';
import { ctx, useManagers } from './harness.js';

/**
 * ContextForge's tests/unit/mcpgateway/plugins/plugins/resource_filter/test_resource_filter.py, and the rows of
 * tests/integration/test_resource_plugin_integration.py that exercise the resource filter.
 */

const managerFor = useManagers();

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
        - pattern: "pin\\\\s*[:=]\\\\s*\\\\S+"
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
    const { result } = await post('Service conf:\nPASSWD: hunter22\ntoken-id: t-999\ntoken_id=t-111\nPin: 4321\nport: 8080');
    assert.equal(result.continue_processing, true);
    const text = (result.modified_payload as { content: { text: string } }).content.text;
    // every filter in turn; one written without a replacement puts ***, as there
    assert.equal(text, 'Service conf:\npasswd: [HIDDEN]\ntoken_id: [HIDDEN]\ntoken_id: [HIDDEN]\n***\nport: 8080');
  });

  it('passes empty text and binary content through untouched', async () => {
    for (const content of [{ type: 'resource', uri: 'test://empty', text: '' }, { type: 'resource', uri: 'test://bin', blob: 'AAECAw==' }]) {
      const checked = await pre(content.uri);
      const { result } = await manager.invokeHook('resource_post_fetch', { uri: content.uri, content }, ctx, { localContexts: checked.contexts ?? undefined });
      assert.equal(result.continue_processing, true, content.uri);
      assert.equal(result.violation ?? null, null, content.uri);
      assert.equal(result.modified_payload ?? null, null, content.uri);
    }
  });

  it('blocks a URI without a scheme: INVALID_URI', async () => {
    for (const uri of ['not-a-valid-uri', '/etc/hosts', '']) {
      const { result } = await pre(uri);
      assert.equal(result.continue_processing, false, uri);
      assert.deepEqual([result.violation?.code, result.violation?.reason], ['INVALID_URI', 'Invalid URI format'], uri);
    }
  });

  it('records the protocol of every URI it lets through, and blocks the others', async () => {
    for (const [uri, protocol] of [['http://fine.example', 'http'], ['https://fine.example', 'https'], ['test://resource', 'test']] as const) {
      const { result } = await pre(uri);
      assert.equal(result.modified_payload?.metadata.protocol, protocol, uri);
    }
    for (const uri of ['ftp://fine.example', 'file:///path/to/file']) {
      const { result } = await pre(uri);
      assert.equal(result.violation?.code, 'PROTOCOL_BLOCKED', uri);
      assert.equal(result.modified_payload ?? null, null, uri);
    }
  });

  it('blocks content over max_content_size: CONTENT_TOO_LARGE, "Content exceeds maximum size"', async () => {
    const { result } = await post('y'.repeat(600));
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.code, 'CONTENT_TOO_LARGE');
    assert.match(result.violation!.reason, /exceeds maximum size/);
    assert.equal((await post('y'.repeat(512))).result.continue_processing, true);
  });

  it('in permissive mode lets a blocked protocol through', async () => {
    const permissive = await managerFor('resource-permissive', `
plugins:
  - name: "ResourceRulesPermissive"
    kind: "plugins.resource_filter.resource_filter.ResourceFilterPlugin"
    hooks: ["resource_pre_fetch"]
    mode: "permissive"
    config: { allowed_protocols: ["https"] }
`);
    const { result } = await permissive.invokeHook('resource_pre_fetch', { uri: 'file:///etc/hosts', metadata: {} }, ctx);
    assert.equal(result.continue_processing, true);
    // the plugin's own answer still names the protocol it would have blocked
    const own = await permissive.invokeHookForPlugin('ResourceRulesPermissive', 'resource_pre_fetch', { uri: 'file:///etc/hosts', metadata: {} }, ctx);
    assert.equal(own.violation?.code, 'PROTOCOL_BLOCKED');
  });
});

describe('ResourceFilterPlugin in a resource read (test_resource_plugin_integration.py expectations)', () => {
  let manager: PluginManager;
  before(async () => {
    manager = await managerFor('resource-read', `
plugins:
  - name: "ResourceRead"
    kind: "plugins.resource_filter.resource_filter.ResourceFilterPlugin"
    hooks: ["resource_pre_fetch", "resource_post_fetch"]
    mode: "enforce"
    config:
      allowed_protocols: ["test"]
      content_filters:
        - { pattern: "passcode:\\\\s*\\\\S+", replacement: "passcode: [REDACTED]" }
`);
  });
  const read = async (uri: string, text: string, context: { request_id: string; user: string; server_id?: string } = ctx) => {
    const checked = await manager.invokeHook('resource_pre_fetch', { uri, metadata: {} }, context, { violationsAsExceptions: true });
    const fetched = await manager.invokeHook('resource_post_fetch', { uri, content: { type: 'resource', uri, text } }, context,
      { localContexts: checked.contexts ?? undefined, violationsAsExceptions: true });
    return { checked, fetched };
  };

  it('filters what it read through an allowed protocol, and raises a violation for another protocol', async () => {
    const { fetched } = await read('test://sensitive', 'Settings:\npasscode: opensesame\nport: 8080');
    assert.equal((fetched.result.modified_payload as { content: { text: string } }).content.text, 'Settings:\npasscode: [REDACTED]\nport: 8080');
    await assert.rejects(read('file:///etc/hosts', 'never read'), (err: unknown) =>
      err instanceof PluginViolationError && /Protocol not allowed/.test(err.message) && err.violation?.code === 'PROTOCOL_BLOCKED');
  });

  it("hands the pre-fetch's contexts to the post-fetch, the request's identity in the fetch's metadata", async () => {
    const { checked, fetched } = await read('test://ctx', 'passcode: 1234', { request_id: 'read-42', user: 'reader', server_id: 'srv-7' });
    const metadata = (checked.result.modified_payload as { metadata: Record<string, unknown> }).metadata;
    assert.deepEqual([metadata.request_id, metadata.user], ['read-42', 'reader']);
    assert.ok(checked.contexts, 'the pre-fetch returns its contexts');
    assert.equal((fetched.result.modified_payload as { content: { text: string } }).content.text, 'passcode: [REDACTED]');
    // the same post-fetch without them: the filter never saw a validation, and leaves the text alone
    const alone = await manager.invokeHook('resource_post_fetch', { uri: 'test://ctx', content: { type: 'resource', uri: 'test://ctx', text: 'passcode: 1234' } }, ctx);
    assert.equal(alone.result.modified_payload ?? null, null);
  });
});
