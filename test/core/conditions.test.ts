import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PluginManager } from '../../src/index.js';
import { configPath, ctx, ran, toolPayload } from '../helpers.js';

describe('conditions', () => {
  const manager = new PluginManager(configPath('conditions'));
  before(() => manager.initialize());
  after(() => manager.shutdown());

  async function whoRuns(hook: string, payload: unknown, extra: Record<string, unknown> = {}, script = {}): Promise<string[]> {
    const { result } = await manager.invokeHook(hook, payload, ctx(script, extra));
    return ran(result.metadata);
  }

  test('conditions are evaluated against the payload the invocation started with, not the merged one', async () => {
    const script = { renamer: { set: { name: 'renamed' } } };
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload('original'), ctx(script, { server_id: 's1' }));
    assert.equal((result.modified_payload as { name: string }).name, 'renamed', 'the rename was merged');
    // after_rename matches the initial name; only_renamed would match only the merged one
    assert.deepEqual(ran(result.metadata), ['after_rename', 'prompt_only', 'renamer']);
  });

  test('fields inside one condition are ANDed', async () => {
    assert.ok((await whoRuns('tool_pre_invoke', toolPayload('send_email'), { server_id: 's1' })).includes('and_pair'));
    assert.ok(!(await whoRuns('tool_pre_invoke', toolPayload('send_email'), { server_id: 's3' })).includes('and_pair'));
    assert.ok(!(await whoRuns('tool_pre_invoke', toolPayload('other'), { server_id: 's1' })).includes('and_pair'));
  });

  test('conditions in a list are ORed', async () => {
    assert.ok((await whoRuns('tool_pre_invoke', toolPayload('other'), { server_id: 's2' })).includes('or_pair'));
    assert.ok((await whoRuns('tool_pre_invoke', toolPayload('search'), { server_id: 's1' })).includes('or_pair'));
    assert.ok(!(await whoRuns('tool_pre_invoke', toolPayload('other'), { server_id: 's1' })).includes('or_pair'));
  });

  test('server_ids and tenant_ids match the global context exactly', async () => {
    const payload = { name: 'calc', result: 42 };
    assert.deepEqual(await whoRuns('tool_post_invoke', payload, { server_id: 's9' }), ['by_server']);
    assert.deepEqual(await whoRuns('tool_post_invoke', payload, { server_id: 's1x' }), []);
    assert.deepEqual(await whoRuns('tool_post_invoke', payload, {}), []);
    assert.deepEqual(await whoRuns('tool_post_invoke', payload, { tenant_id: 't1' }), ['by_tenant']);
    assert.deepEqual(await whoRuns('tool_post_invoke', payload, { tenant_id: 't10' }), []);
  });

  test('user_patterns match a substring of a string user, or of a user object\'s email', async () => {
    const payload = { name: 'calc', result: 42 };
    assert.deepEqual(await whoRuns('tool_post_invoke', payload, { user: 'carol@example.com' }), ['by_user']);
    assert.deepEqual(await whoRuns('tool_post_invoke', payload, { user: { email: 'ada@example.com', id: 7 } }), ['by_user']);
    assert.deepEqual(await whoRuns('tool_post_invoke', payload, { user: { email: 'bob@other.org', name: 'x@example.com' } }), []);
    assert.deepEqual(await whoRuns('tool_post_invoke', payload, { user: 'dave@other.org' }), []);
    assert.deepEqual(await whoRuns('tool_post_invoke', payload, {}), []);
  });

  test('tools match the name of tool hooks (pre and post)', async () => {
    assert.deepEqual(await whoRuns('tool_post_invoke', { name: 'send_email', result: 'sent' }), ['post_tool']);
    assert.deepEqual(await whoRuns('tool_post_invoke', { name: 'send_sms', result: 'sent' }), []);
  });

  test('prompts match prompt_id, resources match uri, agents match agent_id', async () => {
    assert.deepEqual(await whoRuns('prompt_pre_fetch', { prompt_id: 'greet', args: {} }), ['prompt_only']);
    assert.deepEqual(await whoRuns('prompt_pre_fetch', { prompt_id: 'farewell', args: {} }), []);
    assert.deepEqual(await whoRuns('resource_pre_fetch', { uri: 'file:///etc/app.conf', metadata: {} }), ['by_resource']);
    assert.deepEqual(await whoRuns('resource_pre_fetch', { uri: 'file:///etc/other.conf', metadata: {} }), []);
    const agent = (agent_id: string) => ({ agent_id, messages: [], parameters: {} });
    assert.deepEqual(await whoRuns('agent_pre_invoke', agent('helper')), ['by_agent']);
    assert.deepEqual(await whoRuns('agent_pre_invoke', agent('stranger')), []);
  });

  test('a condition field the hook does not have is ignored for that hook', async () => {
    // prompt_only's `prompts` means nothing on tool_pre_invoke, so it runs for any tool
    assert.ok((await whoRuns('tool_pre_invoke', toolPayload('anything'))).includes('prompt_only'));
    const http = { path: '/x', method: 'GET', headers: {} };
    assert.deepEqual(await whoRuns('http_pre_request', http), ['tool_on_http'], 'tools is ignored, server_ids is not');
    assert.deepEqual(await whoRuns('http_pre_request', http, { server_id: 's1' }), ['tool_and_server_on_http', 'tool_on_http']);
    assert.deepEqual(await whoRuns('custom_check', { anything: true }), ['tool_on_http'], 'custom hooks have no condition field');
  });

  test('plugins exist for the hook but none matched: pass-through result and an empty (not null) context table', async () => {
    const { result, contexts } = await manager.invokeHook('resource_pre_fetch', { uri: 'file:///nope', metadata: {} }, ctx());
    assert.equal(result.continue_processing, true);
    assert.equal(result.modified_payload, null);
    assert.deepEqual(contexts, {});
  });

  test('no plugin for the hook: {continue_processing: true, modified_payload: null}, contexts null, payload not even checked', async () => {
    assert.equal(manager.hasHooksFor('resource_post_fetch'), false);
    for (const payload of [{ uri: 'file:///ok', content: 'x' }, { not: 'a resource payload' }, null, { uri: 'x', content: 'y'.repeat(1_100_000) }]) {
      const { result, contexts } = await manager.invokeHook<string>('resource_post_fetch', payload, ctx());
      assert.equal(result.continue_processing, true);
      assert.equal(result.modified_payload, null);
      assert.equal(contexts, null);
    }
  });
});
