import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PluginError, PluginManager, PluginViolationError } from '../../src/index.js';
import { captureLogger, configPath, ctx, ran, toolPayload } from '../helpers.js';

const violation = { reason: 'Blocked tool', description: 'send_email is denied', code: 'DENY', details: { tool: 'send_email' } };
type State = Record<string, unknown>;

function assertPluginError(err: unknown, plugin: string): true {
  assert.ok(err instanceof PluginError, `expected PluginError, got ${(err as Error)?.name}: ${(err as Error)?.message}`);
  assert.equal(err.error.plugin_name, plugin);
  assert.equal(typeof err.error.message, 'string');
  assert.equal(err.error.message, err.message);
  assert.match(err.message, new RegExp(`\\b${plugin}\\b`));
  assert.equal(typeof err.error.code, 'string');
  return true;
}

describe('modes: blocking, violations and failures', () => {
  const logger = captureLogger();
  const manager = new PluginManager(configPath('modes'), { logger });
  before(() => manager.initialize());
  after(() => manager.shutdown());

  test('enforce: a block stops the chain; the result carries the blocker\'s own modification, its violation and metadata', async () => {
    const script = { enf: { trail: true, block: { ...violation, plugin_name: 'someone_else' }, metadata: { why: 'policy' } } };
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload('send_email'), ctx(script));
    assert.equal(result.continue_processing, false);
    assert.deepEqual(result.modified_payload, toolPayload('send_email', { trail: ['enf'] }));
    assert.deepEqual(result.violation, { ...violation, plugin_name: 'enf' }, 'plugin_name is set by the runtime, not the plugin');
    assert.equal(result.metadata.why, 'policy');
    assert.deepEqual(ran(result.metadata), ['enf'], 'no plugin after the blocker ran');
  });

  test('enforce_ignore_error: a block stops the chain too, with the payload merged so far', async () => {
    const script = { enf: { trail: true }, ign: { trail: true, block: violation } };
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload('send_email'), ctx(script));
    assert.equal(result.continue_processing, false);
    assert.deepEqual(result.modified_payload, toolPayload('send_email', { trail: ['enf', 'ign'] }));
    assert.equal(result.violation?.plugin_name, 'ign');
    assert.deepEqual(ran(result.metadata), ['enf', 'ign']);
  });

  test('a block with no accepted modification has modified_payload null', async () => {
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ enf: { block: violation } }));
    assert.equal(result.continue_processing, false);
    assert.equal(result.modified_payload, null);
  });

  test('a block without a violation: the result\'s violation is null, and so is the exception\'s', async () => {
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ ign: { block: true } }));
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation, null);
    await assert.rejects(manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ enf: { block: true } }), { violationsAsExceptions: true }),
      (err: unknown) => err instanceof PluginViolationError && err.violation === null);
  });

  test('permissive: a would-be block is logged, leaves no violation, and the chain goes on with its modification merged', async () => {
    logger.lines.length = 0;
    const script = { perm: { trail: true, block: violation }, tail: { trail: true } };
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx(script), { violationsAsExceptions: true });
    assert.equal(result.continue_processing, true);
    assert.equal(result.violation, null);
    assert.deepEqual(result.modified_payload, toolPayload('lookup', { trail: ['perm', 'tail'] }));
    assert.ok(ran(result.metadata).includes('tail'));
    assert.ok(logger.lines.some((l) => /would block/i.test(l.message) && l.message.includes('perm')), logger.text());
  });

  test('violationsAsExceptions: PluginViolationError with the exact message, in enforce and enforce_ignore_error', async () => {
    for (const tag of ['enf', 'ign']) {
      await assert.rejects(
        manager.invokeHook('tool_pre_invoke', toolPayload('send_email'), ctx({ [tag]: { block: violation } }), { violationsAsExceptions: true }),
        (err: unknown) => {
          assert.ok(err instanceof PluginViolationError);
          assert.equal(err.message, `tool_pre_invoke blocked by plugin ${tag}: DENY - Blocked tool (send_email is denied)`);
          assert.deepEqual(err.violation, { ...violation, plugin_name: tag });
          return true;
        },
      );
    }
  });

  test('enforce: a failure raises PluginError with .error {message, plugin_name, code}, and the chain stops', async () => {
    const global = ctx({ enf: { throw: 'enf exploded' }, tail: { global_state: { tail_ran: true } } });
    await assert.rejects(manager.invokeHook('tool_pre_invoke', toolPayload(), global), (err: unknown) => {
      assertPluginError(err, 'enf');
      assert.match((err as Error).message, /enf exploded/);
      return true;
    });
    assert.equal((global.state as State).tail_ran, undefined);
  });

  test('enforce: a rejected promise is a failure too', async () => {
    await assert.rejects(manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ enf: { reject: 'async no' } })),
      (err: unknown) => assertPluginError(err, 'enf') && /async no/.test((err as Error).message));
  });

  test('enforce_ignore_error and permissive: a failure is logged through the logger and the chain goes on', async () => {
    for (const tag of ['ign', 'perm']) {
      logger.lines.length = 0;
      const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ [tag]: { throw: 'kaboom' }, tail: { trail: true } }));
      assert.equal(result.continue_processing, true);
      assert.deepEqual(result.modified_payload, toolPayload('lookup', { trail: ['tail'] }), 'the next plugin ran and was merged');
      assert.ok(logger.lines.some((l) => l.message.includes('kaboom') && new RegExp(`\\b${tag}\\b`).test(l.message)), logger.text());
    }
  });

  test('a plugin that returns nothing means "continue, no change"', async () => {
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ enf: { nothing: true }, tail: { trail: true } }));
    assert.equal(result.continue_processing, true);
    assert.deepEqual(result.modified_payload, toolPayload('lookup', { trail: ['tail'] }));
  });

  test('a plugin with no mode is in enforce mode: its failure raises', async () => {
    await assert.rejects(manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ tail: { throw: 'default mode' } })), (err: unknown) => assertPluginError(err, 'tail'));
  });

  test('an invalid result counts as a failure: raised in enforce, logged in enforce_ignore_error', async () => {
    await assert.rejects(manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ enf: { invalid: true } })), (err: unknown) => assertPluginError(err, 'enf'));
    logger.lines.length = 0;
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ ign: { invalid: true } }));
    assert.equal(result.continue_processing, true);
    assert.ok(ran(result.metadata).includes('tail'));
    assert.ok(logger.lines.some((l) => /\bign\b/.test(l.message)), logger.text());
  });
});

describe('modes: fail_on_plugin_error', () => {
  const manager = new PluginManager(configPath('modes_fail_on_error'));
  before(() => manager.initialize());
  after(() => manager.shutdown());

  test('turns every failure into PluginError, whatever the mode', async () => {
    for (const [tag, action] of [['ign', { throw: 'x' }], ['perm', { throw: 'y' }], ['perm', { invalid: true }], ['ign', { reject: 'z' }]] as const) {
      await assert.rejects(manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ [tag]: action })), (err: unknown) => assertPluginError(err, tag));
    }
  });

  test('does not turn a permissive would-be block into a block', async () => {
    const { result } = await manager.invokeHook('tool_pre_invoke', toolPayload(), ctx({ perm: { block: violation } }));
    assert.equal(result.continue_processing, true);
    assert.equal(result.violation, null);
  });
});
