import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cordon, FIXTURES } from './helpers.js';

const lines = (text: string) => text.split('\n').filter(Boolean);

test('a YAML syntax error is one line with its position, without the excerpt and caret', async () => {
  const { code, stderr } = await cordon(['run', `${FIXTURES}/yaml-syntax.yaml`]);
  assert.equal(code, 2);
  assert.equal(lines(stderr).length, 1, stderr);
  assert.match(stderr, /^cordon: invalid config .*yaml-syntax\.yaml: not valid YAML: .*at line 3, column \d+\n$/);
});

test('bad JSON on stdin is one line: the newline of the input is escaped', async () => {
  const { code, stderr } = await cordon(['invoke', `${FIXTURES}/config.yaml`, 'tool_pre_invoke', '-'], { input: 'not json\n' });
  assert.equal(code, 2);
  assert.equal(lines(stderr).length, 1, stderr);
  assert.match(stderr, /^cordon: payload stdin is not valid JSON: .*\\n/);
});

test('--verbose log lines end with a newline each', async () => {
  const { stderr } = await cordon(['--verbose', 'run', `${FIXTURES}/warner.yaml`]);
  const logged = lines(stderr).filter((l) => l.includes('cordon ['));
  assert.ok(logged.length >= 2, stderr);
  for (const line of logged) assert.match(line, /^cordon \[(debug|info|warn|error)\] [^\n]*$/);
  assert.equal(stderr.match(/cordon \[/g)?.length, logged.length, 'no two log lines share a line');
});

test('every config issue is reported by the first run: unset variables, the schema, kinds and bundled configs', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '' };
  delete env.CORDON_TEST_UNSET_VARIABLE;
  const validate = await cordon(['validate', `${FIXTURES}/many-issues.yaml`], { env });
  assert.equal(validate.code, 2);
  const issues = lines(validate.stderr);
  assert.equal(issues.length, 4, validate.stderr);
  for (const [i, what] of [[0, /not found/], [1, /config\.strategy/], [2, /bogus/], [3, /CORDON_TEST_UNSET_VARIABLE is not set/]] as const) {
    assert.ok(issues.some((l) => l.includes(`plugins[${i}]`) && what.test(l)), `plugins[${i}]: ${validate.stderr}`);
  }
  const run = await cordon(['run', `${FIXTURES}/many-issues.yaml`], { env });
  assert.equal(lines(run.stderr).length, 1, 'run says it all on one line');
  for (const i of [0, 1, 2, 3]) assert.match(run.stderr, new RegExp(`plugins\\[${i}\\]`));
});

test('every plugin that fails to load is named by one error', async () => {
  const { code, stderr } = await cordon(['validate', `${FIXTURES}/two-broken.yaml`]);
  assert.equal(code, 2);
  assert.equal(lines(stderr).length, 1, stderr);
  assert.match(stderr, /Plugin broken failed to load: .*; Plugin broken_too failed to load: /);
});
