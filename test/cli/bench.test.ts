import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cordon, FIXTURES } from './helpers.js';

test('cordon bench exits 1 when a scenario fails, names the user\'s chain, lists no unmeasured target and reports progress when piped', async () => {
  const out = await mkdtemp(join(tmpdir(), 'cordon-bench-cli-'));
  try {
    const { code, stdout, stderr } = await cordon(['bench', '--quick', '--no-pin', '--only', 'default-chain', '--config', `${FIXTURES}/bench-blocks.yaml`, '--out', out]);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /^bench 1\/1 \d+s chain of bench-blocks\.yaml$/m, 'a progress line per scenario on a pipe');
    assert.match(stderr, /scenario chain of bench-blocks\.yaml failed: .*was blocked/);
    assert.doesNotMatch(stdout, /default-chain|not measured|\? µs/);
    assert.match(stdout, /## Failed scenarios\n\n- `chain of bench-blocks\.yaml`/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('cordon bench --config with no plugin on the tool hooks is bad input, said on one line before anything is measured', async () => {
  const started = Date.now();
  const { code, stdout, stderr } = await cordon(['bench', '--config', `${FIXTURES}/no-tool-hooks.yaml`]);
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.match(stderr, /^cordon: .*no-tool-hooks\.yaml has no enabled plugin on tool_pre_invoke or tool_post_invoke, .*register audit_log\)\n$/);
  assert.ok(Date.now() - started < 30_000, 'no baseline was measured first');
});
