/**
 * What a batched run keeps when its worker is stopped mid-run (progress.ts): the outcomes of the plugins that
 * finished before the one that timed out are read back from the shared record, bare passes (a plugin that returned
 * nothing, stored as its time alone) and full outcomes alike, and folded as if the run had ended normally.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureLogger, ctx, fixture, toolPayload, withManager } from '../helpers.js';

const scripted = (name: string, mode: 'enforce' | 'enforce_ignore_error') => ({
  name, kind: fixture('plugins/scripted.js'), hooks: ['tool_pre_invoke'], mode, config: { tag: name },
});

test('a run stopped at its third plugin keeps the outcomes of the two before it', async () => {
  const logger = captureLogger();
  const config = {
    plugin_settings: { plugin_timeout: 0.3 },
    plugins: [
      { ...scripted('quiet', 'enforce'), priority: 1 },
      { ...scripted('marks', 'enforce'), priority: 2 },
      { ...scripted('spins', 'enforce_ignore_error'), priority: 3 },
    ],
  };
  await withManager(config, async (m) => {
    const global = ctx({ quiet: { nothing: true }, marks: { metadata: { seen: 'marks' } }, spins: { spin: true } });
    // a lost outcome of an `enforce` plugin would fail the call (WORKER_EXITED); only the spinner's timeout is ignored
    const { result, contexts } = await m.invokeHook('tool_pre_invoke', toolPayload(), global);
    assert.equal(result.continue_processing, true);
    assert.equal(result.metadata.seen, 'marks');
    assert.equal(Object.keys(contexts ?? {}).length, 3);
    assert.match(logger.text('warn'), /spins failed on tool_pre_invoke .*timeout/i);
    assert.doesNotMatch(logger.text('warn'), /quiet|marks/);
  }, { logger });
});
