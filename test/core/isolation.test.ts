import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PluginError, PluginManager } from '../../src/index.js';
import { childScript, configPath, ctx, ran, runNode, toolPayload, withManager } from '../helpers.js';

// set before any worker starts: workers must not inherit it
const SECRET = 'cordon-secret-value-4821';
process.env.CORDON_TEST_SECRET = SECRET;

const isTimeout = (plugin: string) => (err: unknown) => {
  assert.ok(err instanceof PluginError, `expected PluginError, got ${(err as Error)?.name}: ${(err as Error)?.message}`);
  assert.equal(err.error.plugin_name, plugin);
  assert.match(err.message, new RegExp(`\\b${plugin}\\b`));
  assert.match(err.message, /timeout/i);
  return true;
};

// bounded, so a plugin that is never stopped fails the suite instead of hanging it
describe('isolation: worker and inline', { timeout: 60_000 }, () => {
  const manager = new PluginManager(configPath('isolation'));
  before(() => manager.initialize());
  after(() => manager.shutdown());

  const hazard = (tool: 'enforced' | 'ignored', what: string) =>
    manager.invokeHook('tool_pre_invoke', toolPayload(tool, { do: what }), ctx());

  async function assertHealthy(): Promise<void> {
    // two workers: several calls, so whichever worker was replaced is exercised
    for (let i = 0; i < 4; i++) {
      const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload('enforced', { do: 'ok', n: i }), ctx());
      assert.equal(result.metadata.ok, i);
    }
  }

  test('a while(true){} plugin with plugin_timeout 0.5 is rejected with PluginError naming it and the timeout, in under 1.5 s', async () => {
    const start = performance.now();
    await assert.rejects(hazard('enforced', 'spin'), (err: unknown) => isTimeout('hz_enforce')(err) && /0\.5/.test((err as Error).message));
    const elapsed = performance.now() - start;
    assert.ok(elapsed < 1500, `took ${Math.round(elapsed)} ms`);
    await assertHealthy();
  });

  test('an async plugin that never resolves times out', async () => {
    await assert.rejects(hazard('enforced', 'never'), isTimeout('hz_enforce'));
    await assertHealthy();
  });

  for (const what of ['timer_throw', 'exit', 'heap', 'spin']) {
    test(`a plugin that does "${what}" settles per its mode and costs at most its worker`, async () => {
      await assert.rejects(hazard('enforced', what), (err: unknown) => err instanceof PluginError && err.error.plugin_name === 'hz_enforce');
      const { result } = await hazard('ignored', what);
      assert.equal(result.continue_processing, true, 'enforce_ignore_error goes on');
      assert.deepEqual(ran(result.metadata), ['after_hazard'], 'the next plugin ran');
      await assertHealthy();
    });
  }

  test('invokeHookForPlugin applies the same timeout', async () => {
    await assert.rejects(manager.invokeHookForPlugin('hz_enforce', 'tool_pre_invoke', toolPayload('x', { do: 'spin' }), ctx()), isTimeout('hz_enforce'));
    await assertHealthy();
  });

  test('100 concurrent invocations with distinct payloads settle with the right per-call results', async () => {
    const calls = Array.from({ length: 100 }, (_, n) => manager.invokeHook('tool_pre_invoke', toolPayload('arith', { n }), ctx()));
    const settled = await Promise.allSettled(calls);
    settled.forEach((s, n) => {
      assert.equal(s.status, 'fulfilled', `call ${n}: ${s.status === 'rejected' ? s.reason : ''}`);
      const { result } = (s as PromiseFulfilledResult<Awaited<(typeof calls)[number]>>).value;
      if (n % 7 === 0) {
        assert.equal(result.continue_processing, false, `call ${n}`);
        assert.equal(result.violation?.description, `n=${n}`);
        assert.equal(result.violation?.plugin_name, 'arith');
      } else {
        assert.deepEqual(result.modified_payload, toolPayload('arith', { n, doubled: n * 2 }), `call ${n}`);
        assert.equal(result.metadata.n, n);
      }
    });
  });

  test('workers start with an empty environment and no execArgv', async () => {
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload('enforced', { do: 'env' }), ctx());
    assert.deepEqual(result.metadata.env, {});
    assert.ok(!JSON.stringify(result.metadata).includes(SECRET));
    assert.deepEqual(result.metadata.exec_argv, []);
  });

  test('...even when the host process itself has execArgv and the secret (child process)', async () => {
    const payload = JSON.stringify(toolPayload('enforced', { do: 'env' }));
    const child = await runNode(['--no-deprecation', childScript, configPath('isolation'), 'tool_pre_invoke', payload],
      { env: { ...process.env, CORDON_TEST_SECRET: SECRET } });
    assert.equal(child.code, 0, child.stderr);
    const result = JSON.parse(child.stdout.trim());
    assert.deepEqual(result.metadata?.env, {}, child.stdout);
    assert.deepEqual(result.metadata?.exec_argv, []);
  });

  test('inline plugins get clones: an in-place mutation reaches neither the next plugin nor the caller', async () => {
    const payload = toolPayload('inline', { inner: { v: 1 } });
    const snapshot = structuredClone(payload);
    const { result } = await manager.invokeHook('tool_pre_invoke', payload, ctx({ inl: { mutate: true }, inl_next: { echo: true } }));
    assert.deepEqual(payload, snapshot);
    assert.deepEqual((result.metadata.seen_inl_next as { payload: unknown }).payload, snapshot);
  });

  test('an inline plugin that never settles is rejected by its timeout', async () => {
    const start = performance.now();
    await assert.rejects(manager.invokeHook('tool_pre_invoke', toolPayload('inline'), ctx({ inl: { never: true } })), isTimeout('inl'));
    assert.ok(performance.now() - start < 1500);
  });
});

test('isolation: the timeout counts from the plugin\'s start, not from its wait in the queue', { timeout: 20_000 }, async () => {
  // one worker, five 250 ms runs: the last one waits about 1 s in the queue, its own run stays well inside 1 s
  await withManager(configPath('queue'), async (m) => {
    const calls = Array.from({ length: 5 }, () => m.invokeHook('tool_pre_invoke', toolPayload('q', { do: 'busy', ms: 250 }), ctx()));
    for (const { result } of await Promise.all(calls)) assert.equal(result.metadata.busy, 250);
  });
});
