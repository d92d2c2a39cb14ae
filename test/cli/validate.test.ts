import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cordon, FIXTURES, tableRows } from './helpers.js';

test('cordon validate summarizes a good config', async () => {
  const { code, stdout, stderr } = await cordon(['validate', `${FIXTURES}/config.yaml`]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^ok test\/fixtures\/cli\/config\.yaml: 3 plugins enabled, 1 disabled, 3 hook points, all loaded/);
  assert.match(stdout, /timeout 10 s/);
  const rows = tableRows(stdout, 'PLUGIN');
  assert.deepEqual(rows.map((r) => [r.PLUGIN, r.MODE, r.PRIORITY]), [
    ['audit', 'enforce', '5'], ['redact', 'enforce', '10'], ['deny', 'enforce', '20'], ['retired', 'disabled', '100'],
  ]);
});

test('cordon validate prints each config issue on its own line and exits 2', async () => {
  const { code, stdout, stderr } = await cordon(['validate', `${FIXTURES}/bad.yaml`]);
  assert.equal(code, 2);
  assert.equal(stdout, '');
  for (const line of stderr.trimEnd().split('\n')) assert.match(line, /^cordon: invalid config test\/fixtures\/cli\/bad\.yaml: /);
  assert.match(stderr, /plugins\[0\]\.mode: Invalid option: expected one of .*"enforce"/);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace without --verbose');
});

test('cordon validate loads the plugins: a hook a plugin does not implement is a config issue', async () => {
  const { code, stderr } = await cordon(['validate', `${FIXTURES}/unimplemented.yaml`]);
  assert.equal(code, 2);
  assert.match(stderr, /plugins\[0\]\.hooks\[1\]: plugin deny does not implement tool_post_invoke/);
  const unloaded = await cordon(['validate', '--no-load', `${FIXTURES}/unimplemented.yaml`]);
  assert.equal(unloaded.code, 0, unloaded.stderr);
  assert.match(unloaded.stdout, /not loaded: --no-load/);
});

test('cordon validate names a missing config file', async () => {
  const { code, stderr } = await cordon(['validate', `${FIXTURES}/absent.yaml`]);
  assert.equal(code, 2);
  assert.match(stderr, /^cordon: invalid config test\/fixtures\/cli\/absent\.yaml: cannot read .*absent\.yaml: file not found\n$/);
});

test('cordon validate exits 2 naming a plugin that fails to load', async () => {
  const { code, stdout, stderr } = await cordon(['validate', `${FIXTURES}/broken.yaml`]);
  assert.equal(code, 2, stderr);
  assert.equal(stdout, '');
  assert.match(stderr, /^cordon: cannot load test\/fixtures\/cli\/broken\.yaml: Plugin broken failed to load: .*broken\.js/);
  assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
});
