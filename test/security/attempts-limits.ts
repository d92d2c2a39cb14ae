/**
 * Class 5 of issue 11: every limit on every path. A violation is held to the size limit like metadata, `_` keys are
 * the runtime's on every entry point, and a plugin's text reaches errors and logs with its control characters escaped.
 */
import assert from 'node:assert/strict';
import { PluginError, PluginViolationError } from '../../src/index.js';
import type { Attempt } from './escape-modules.js';

const hook = (body: string) => `export default (config) => ({ tool_pre_invoke(payload, context) {\n${body}\n} });\n`;
const single = { name: 'x', args: {} };

export const LIMIT_ATTEMPTS: Attempt[] = [
  {
    id: 'limit-violation-16mb', title: 'block with a 16 MiB violation description (violations were never size-checked)',
    module: () => hook(`return { continue_processing: false, violation: { reason: 'big', description: 'x'.repeat(16 << 20), code: 'BIG' } };`),
    fails: { code: 'INVALID_RESULT' },
    verify: async (seen, run) => {
      assert.ok((seen.error as Error).message.length < 2000, 'the failure is not bounded');
      await assert.rejects(run.manager.invokeHookForPlugin('limit-violation-16mb', 'tool_pre_invoke', single, { request_id: 's' }),
        (err: unknown) => err instanceof PluginError && err.error.code === 'INVALID_RESULT' && err.message.length < 2000);
    },
  },
  {
    id: 'limit-violation-details', title: 'a violation whose details hold 300 kB (over max_payload_bytes)',
    module: () => hook(`return { continue_processing: false, violation: { reason: 'r', description: 'd', code: 'C', details: { blob: 'y'.repeat(300000) } } };`),
    fails: { code: 'INVALID_RESULT' },
  },
  {
    id: 'limit-underscore-single', title: 'reserved `_` metadata keys through invokeHookForPlugin (only the chain filtered them)',
    module: () => hook(`return { metadata: { _decision_plugin: 'forged', _cordon: { forged: true }, [NAME]: 'set reserved keys' } };`),
    verify: async (seen, run) => {
      assert.deepEqual(Object.keys(seen.result!.metadata), ['limit-underscore-single']);
      const result = await run.manager.invokeHookForPlugin('limit-underscore-single', 'tool_pre_invoke', single, { request_id: 's' });
      assert.deepEqual(Object.keys(result.metadata), ['limit-underscore-single']);
    },
  },
  {
    id: 'limit-violation-controls', title: 'violation text with terminal escapes, C1 controls and forged lines, for the error message and the log',
    module: () => hook(`return { continue_processing: false, violation: { reason: 'r\\u001b[2J\\nforged line', description: 'd\\u009b31m\\u2028x',
      code: 'C\\r\\n[fake] line' }, metadata: { [NAME]: 'blocked' } };`),
    verify: async (seen, run) => {
      const thrown = (await run.invoke('limit-violation-controls', {}, { violationsAsExceptions: true })).error;
      assert.ok(thrown instanceof PluginViolationError);
      assert.doesNotMatch(thrown.message, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, 'a raw control character in the error message');
      assert.match(thrown.message, /forged line/);
      assert.equal(thrown.violation?.reason, 'r\u001b[2J\nforged line', 'the violation itself is data, kept as the plugin sent it');
    },
  },
];
