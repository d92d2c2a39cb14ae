import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PluginError, PluginManager, PluginViolationError } from '../../src/index.js';
import { captureLogger, configPath, ctx, ran, toolPayload } from '../helpers.js';

type Seen = { payload: Record<string, unknown>; local_state: Record<string, unknown> };
const seen = (metadata: Record<string, unknown>, tag: string) => metadata[`seen_${tag}`] as Seen;
const violation = { reason: 'no', description: 'not allowed', code: 'NOPE' };

describe('invokeHookForPlugin', () => {
  const logger = captureLogger();
  const manager = new PluginManager(configPath('single'), { logger });
  before(() => manager.initialize());
  after(() => manager.shutdown());

  test('runs exactly the named plugin, ignoring its conditions', async () => {
    const result = await manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', toolPayload('other'), ctx());
    assert.deepEqual(ran(result.metadata), ['s_enf']);
    // the same payload through invokeHook does not reach s_enf at all
    const chain = await manager.invokeHook('tool_pre_invoke', toolPayload('other'), ctx());
    assert.ok(!ran(chain.result.metadata).includes('s_enf'));
  });

  test('returns the plugin\'s own result, with violation.plugin_name set by the runtime', async () => {
    const result = await manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', toolPayload(), ctx({ s_enf: { block: { ...violation, plugin_name: 'fake' }, metadata: { m: 1 } } }));
    assert.equal(result.continue_processing, false);
    assert.deepEqual(result.violation, { ...violation, plugin_name: 's_enf' });
    assert.equal(result.metadata.m, 1);
  });

  test('its http_headers come back with it, as ContextForge returns them; invokeHook does not merge them', async () => {
    const headers = { 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '9' };
    const result = await manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', toolPayload(), ctx({ s_enf: { http_headers: headers } }));
    assert.deepEqual(result.http_headers, headers);
    const chain = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ s_ign: { http_headers: headers } }));
    assert.ok(ran(chain.result.metadata).includes('s_ign'));
    assert.deepEqual(Object.keys(chain.result).sort(), ['continue_processing', 'metadata', 'modified_payload', 'violation']);
    // a result without headers has no such key at all
    const plain = await manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', toolPayload(), ctx());
    assert.equal('http_headers' in plain, false);
  });

  test('http_headers that could split a response, or are no header names, are an invalid result', async () => {
    for (const headers of [{ 'X-Note': 'a\r\nSet-Cookie: x=1' }, { 'Bad Name': 'v' }, { 'X-Num': 1 }]) {
      await assert.rejects(manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', toolPayload(), ctx({ s_enf: { http_headers: headers } })),
        (err: unknown) => err instanceof PluginError && err.error.code === 'INVALID_RESULT' && /http_headers/.test(err.message), JSON.stringify(headers));
    }
  });

  test('its modified_payload comes back as the plugin returned it, not filtered by the policy', async () => {
    const result = await manager.invokeHookForPlugin('s_enf', 'tool_post_invoke', { name: 'calc', result: 1 }, ctx({ s_enf: { set: { name: 'renamed', result: 2 } } }));
    assert.deepEqual(result.modified_payload, { name: 'renamed', result: 2 });
    const decision = await manager.invokeHookForPlugin('s_enf', 'http_auth_check_permission',
      { user_email: 'a@b.c', permission: 'p', is_admin: false }, ctx({ s_enf: { replace: { granted: true, reason: 'ok' } } }));
    assert.deepEqual(decision.modified_payload, { granted: true, reason: 'ok' });
  });

  test('its modified_payload is validated: one that does not parse is a failure of the plugin', async () => {
    await assert.rejects(
      manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', toolPayload(), ctx({ s_enf: { set: { args: 'not an object' } } })),
      (err: unknown) => err instanceof PluginError && err.error.plugin_name === 's_enf',
    );
  });

  test('an unknown or disabled plugin, or a hook the plugin does not implement, is a PluginError saying so', async () => {
    await assert.rejects(manager.invokeHookForPlugin('nobody', 'tool_pre_invoke', toolPayload(), ctx()),
      (err: unknown) => err instanceof PluginError && /nobody/.test(err.message));
    await assert.rejects(manager.invokeHookForPlugin('s_off', 'tool_pre_invoke', toolPayload(), ctx()),
      (err: unknown) => err instanceof PluginError && /s_off/.test(err.message));
    await assert.rejects(manager.invokeHookForPlugin('pre_only', 'tool_post_invoke', { name: 'x', result: 1 }, ctx()),
      (err: unknown) => err instanceof PluginError && /pre_only/.test(err.message) && /tool_post_invoke/.test(err.message));
  });

  test('payloadAsJson: a JSON string is parsed with the hook\'s schema first', async () => {
    const payload = { name: 'from_json', args: { n: 1 }, extra: true };
    const result = await manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', JSON.stringify(payload), ctx({ s_enf: { echo: true } }), { payloadAsJson: true });
    assert.deepEqual(seen(result.metadata, 's_enf').payload, payload);
    await assert.rejects(manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', '{"name": 1, "args": {}}', ctx(), { payloadAsJson: true }), /name/);
    await assert.rejects(manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', '{not json', ctx(), { payloadAsJson: true }));
  });

  test('payloadAsJson: a plain object is taken as it is', async () => {
    const payload = toolPayload('obj', { k: 'v' });
    const result = await manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', payload, ctx({ s_enf: { echo: true } }), { payloadAsJson: true });
    assert.deepEqual(seen(result.metadata, 's_enf').payload, payload);
  });

  test('without payloadAsJson a JSON string is not a payload', async () => {
    await assert.rejects(manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', JSON.stringify(toolPayload()), ctx()));
  });

  test('accepts a plugin context (local state handed in) as well as a global context', async () => {
    const global = ctx({ s_enf: { echo: true } });
    const withLocal = await manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', toolPayload(), { state: { carried: 1 }, metadata: {}, global_context: global });
    assert.deepEqual(seen(withLocal.metadata, 's_enf').local_state, { carried: 1 });
    const plain = await manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', toolPayload(), ctx({ s_enf: { echo: true } }));
    assert.deepEqual(seen(plain.metadata, 's_enf').local_state, {});
  });

  test('mode rules hold: enforce raises PluginError, enforce_ignore_error logs and returns a continue result', async () => {
    await assert.rejects(manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', toolPayload(), ctx({ s_enf: { throw: 'single boom' } })),
      (err: unknown) => err instanceof PluginError && err.error.plugin_name === 's_enf' && /single boom/.test(err.message));
    logger.lines.length = 0;
    const result = await manager.invokeHookForPlugin('s_ign', 'tool_pre_invoke', toolPayload(), ctx({ s_ign: { throw: 'quiet boom' } }));
    assert.equal(result.continue_processing, true);
    assert.ok(logger.lines.some((l) => l.message.includes('quiet boom')), logger.text());
  });

  test('violationsAsExceptions raises PluginViolationError for a blocking plugin', async () => {
    await assert.rejects(
      manager.invokeHookForPlugin('s_enf', 'tool_pre_invoke', toolPayload(), ctx({ s_enf: { block: violation } }), { violationsAsExceptions: true }),
      (err: unknown) => err instanceof PluginViolationError && err.violation?.plugin_name === 's_enf'
        && err.message === 'tool_pre_invoke blocked by plugin s_enf: NOPE - no (not allowed)',
    );
  });
});
