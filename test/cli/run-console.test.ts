import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cordon, FIXTURES, tableRows } from './helpers.js';

test('cordon run: a plugin that only writes console.warn ran; its line is not taken for a failure', async () => {
  const { code, stdout, stderr } = await cordon(['run', `${FIXTURES}/warner.yaml`]);
  assert.equal(code, 0, stderr);
  const rows = tableRows(stdout, 'HOOK').filter((r) => r.PLUGIN === 'warner');
  assert.deepEqual(rows.map((r) => r.OUTCOME), ['ran']);
});
