import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeChange } from '../../src/cli/changes.js';
import { SAMPLE_PAYLOADS, sampleGlobalContext } from '../../src/cli/samples.js';
import { colourWanted } from '../../src/cli/style.js';
import { HOOK_NAMES, hookSpec } from '../../src/core/hooks.js';
import { GlobalContextSchema } from '../../src/core/schemas.js';

test('every built-in hook has a sample payload, and each parses with its hook\'s schema', () => {
  assert.deepEqual(Object.keys(SAMPLE_PAYLOADS).sort(), [...HOOK_NAMES].sort());
  for (const [hook, payload] of Object.entries(SAMPLE_PAYLOADS)) {
    const parsed = hookSpec(hook).payloadSchema.safeParse(payload);
    assert.ok(parsed.success, `${hook}: ${parsed.error?.message}`);
  }
  assert.ok(GlobalContextSchema.safeParse(sampleGlobalContext('r1')).success);
});

test('describeChange shows the text around a redaction and counts the other changes', () => {
  const before = { args: { to: 'a@example.com', body: 'Please call Dana back at +1 415 555 0132 before noon tomorrow' } };
  const after = { args: { to: '[EMAIL]', body: 'Please call Dana back at [PHONE] before noon tomorrow' } };
  assert.equal(describeChange(before, after), 'args.to: "a@example.com" -> "[EMAIL]" (+1 more)');
  assert.equal(describeChange(before.args.body, after.args.body),
    '(payload): "…back at +1 415 555 0132 before noon to…" -> "…back at [PHONE] before noon tomorrow"');
  assert.equal(describeChange({ result: [1, 2] }, { result: [1] }), 'result[1]: 2 -> (absent)');
});

test('colour only on a TTY, and never with NO_COLOR set', () => {
  assert.equal(colourWanted({ isTTY: true }, {}), true);
  assert.equal(colourWanted({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(colourWanted({ isTTY: false }, {}), false);
  assert.equal(colourWanted({}, {}), false);
});
