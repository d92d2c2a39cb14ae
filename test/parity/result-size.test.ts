import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PayloadSizeError, PluginError, PluginManager } from '../../src/index.js';
import { captureLogger, configPath, ctx, toolPayload } from '../helpers.js';

/** max_payload_bytes: 2000 and max_result_bytes: 3000 (parity_result_size.yaml); every blob here is 2500 or 4000 bytes. */
describe('parity: results are bounded by max_result_bytes, on what the plugin contributed', () => {
  const logger = captureLogger();
  const manager = new PluginManager(configPath('parity_result_size'), { logger });
  before(() => manager.initialize());
  after(() => manager.shutdown());

  const blob = (bytes: number) => 'x'.repeat(bytes);
  const invalid = (err: unknown) => err instanceof PluginError && err.error.code === 'INVALID_RESULT' && err.error.plugin_name === 'writer'
    && /max_result_bytes/.test(err.message);

  test("a caller's large global state and local context never make a plugin fail", async () => {
    const global = ctx({ writer: { global_state: { seen: 1 }, local: { mine: 1 }, metadata: { small: true } } },
      { state: { blob: blob(4000) }, metadata: { note: blob(4000) } });
    const first = await manager.invokeHook('tool_pre_invoke', toolPayload(), global);
    assert.equal(first.result.metadata.small, true);
    assert.deepEqual(global.state, { blob: blob(4000), seen: 1 }, 'its change merged, the caller\'s state kept');
    // handed back, a 4000-byte local context is the caller's, not the plugin's contribution
    const local = Object.values(first.contexts!)[0]!;
    local.state = { ...local.state, kept: blob(4000) };
    const again = { ...ctx({ writer: { local: { mine: 2 } } }), request_id: global.request_id };
    const second = await manager.invokeHook('tool_pre_invoke', toolPayload(), again, { localContexts: first.contexts });
    assert.deepEqual(Object.values(second.contexts!)[0]!.state, { mine: 2, kept: blob(4000) });
  });

  test('the caller\'s payload is still held to max_payload_bytes', async () => {
    await assert.rejects(manager.invokeHook('tool_pre_invoke', toolPayload('lookup', { big: blob(2500) }), ctx()), PayloadSizeError);
  });

  test('metadata, a violation or global-context changes over max_result_bytes are an invalid result', async () => {
    const scripts: Array<Record<string, unknown>> = [
      { metadata: { blob: blob(4000) } },
      { block: { reason: 'r', description: blob(4000), code: 'BIG' } },
      { global_state: { blob: blob(4000) } },
      { global_metadata: { blob: blob(4000) } },
      { local: { blob: blob(4000) } },
      { http_headers: { 'X-Blob': blob(4000) } },
    ];
    for (const script of scripts) {
      const global = ctx({ writer: script });
      await assert.rejects(manager.invokeHook('tool_pre_invoke', toolPayload(), global), invalid, JSON.stringify(script).slice(0, 60));
      assert.deepEqual(global.state, {}, 'nothing of an invalid result is merged');
    }
    await assert.rejects(manager.invokeHookForPlugin('writer', 'tool_pre_invoke', toolPayload(), ctx({ writer: scripts[0]! })), invalid);
  });

  test('a modified payload is bounded by max_result_bytes, not by max_payload_bytes', async () => {
    const fits = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ writer: { set: { args: { big: blob(2500) } } } }));
    assert.equal((fits.result.modified_payload as unknown as { args: { big: string } }).args.big.length, 2500);
    await assert.rejects(manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ writer: { set: { args: { big: blob(4000) } } } })), invalid);
  });

  test('an oversized result of a permissive plugin is logged and the chain goes on', async () => {
    logger.lines.length = 0;
    const { result } = await manager.invokeHook('tool_post_invoke', { name: 'calc', result: 1 }, ctx({ lenient: { metadata: { blob: blob(4000) } } }));
    assert.equal(result.continue_processing, true);
    assert.deepEqual(result.metadata, {});
    const local = await manager.invokeHook('tool_post_invoke', { name: 'calc', result: 1 }, ctx({ lenient: { local: { blob: blob(4000) } } }));
    assert.deepEqual(Object.values(local.contexts!)[0]!.state, {}, 'nothing of an invalid result is kept, its local context neither');
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /lenient/.test(l.message) && /max_result_bytes/.test(l.message)), logger.text());
  });
});
