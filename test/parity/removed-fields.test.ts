import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PluginManager } from '../../src/index.js';
import { captureLogger, configPath, ctx } from '../helpers.js';

/**
 * semantics.md (2026-12-01): a writable field that a plugin's modified_payload leaves out, where the current payload
 * has it, counts as changed and is removed, unless the merged payload then fails the hook's schema. p_a and p_b run
 * in one worker, so the next plugin's view is the worker's merge and the result is the host's.
 */
describe('parity: writable fields left out of modified_payload', () => {
  const logger = captureLogger();
  const manager = new PluginManager(configPath('policy'), { logger });
  before(() => manager.initialize());
  after(() => manager.shutdown());

  const seenByB = (metadata: Record<string, unknown>) => (metadata.seen_b as { payload: unknown }).payload;

  test('an optional writable field left out is removed, for the next plugin and in the result', async () => {
    const payload = { name: 'lookup', args: { q: 1 }, headers: { authorization: 'secret' } };
    const script = { a: { replace: { name: 'lookup', args: { q: 2 } } }, b: { echo: true } };
    const { result } = await manager.invokeHook('tool_pre_invoke', payload, ctx(script));
    assert.deepEqual(result.modified_payload, { name: 'lookup', args: { q: 2 } });
    assert.deepEqual(seenByB(result.metadata), { name: 'lookup', args: { q: 2 } });
  });

  test('removing only a field still counts as a modification', async () => {
    const payload = { agent_id: 'helper', messages: [], parameters: {}, model: 'big', system_prompt: 'be nice' };
    const script = { a: { replace: { agent_id: 'helper', messages: [], parameters: {}, model: 'big' } } };
    const { result } = await manager.invokeHook('agent_pre_invoke', payload, ctx(script));
    assert.deepEqual(result.modified_payload, { agent_id: 'helper', messages: [], parameters: {}, model: 'big' });
  });

  test('leaving out a required writable field fails the schema: the modification is rejected and logged', async () => {
    logger.lines.length = 0;
    const payload = { name: 'lookup', args: { q: 1 }, headers: { h: 'v' } };
    const script = { a: { replace: { name: 'renamed', headers: {} } }, b: { echo: true } };
    const { result } = await manager.invokeHook('tool_pre_invoke', payload, ctx(script));
    assert.equal(result.modified_payload, null, 'nothing of the rejected modification is kept, not even the rename');
    assert.deepEqual(seenByB(result.metadata), payload);
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /p_a/.test(l.message) && /args/.test(l.message)), logger.text());
  });

  test('a field that is not writable is never removed', async () => {
    const payload = { name: 'calc', result: 41 };
    const { result } = await manager.invokeHook('tool_post_invoke', payload, ctx({ a: { replace: { result: 42 } } }));
    assert.deepEqual(result.modified_payload, { name: 'calc', result: 42 });
  });
});
