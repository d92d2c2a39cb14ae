import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { ctx, useManagers } from './harness.js';

/** ContextForge's tests/unit/mcpgateway/plugins/plugins/resource_filter/test_resource_filter.py. */

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
