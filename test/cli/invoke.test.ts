import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, cordon, FIXTURES, ROOT } from './helpers.js';

const CONFIG = `${FIXTURES}/config.yaml`;

test('cordon invoke reads the payload from a file and prints {result, contexts}', async () => {
  const { code, stdout, stderr } = await cordon(['invoke', CONFIG, 'tool_pre_invoke', `${FIXTURES}/pass.json`, '--context', `${FIXTURES}/context.json`]);
  assert.equal(code, 0, stderr);
  assert.equal(stderr, '');
  const { result, contexts } = JSON.parse(stdout);
  assert.equal(result.continue_processing, true);
  assert.deepEqual(result.modified_payload, { name: 'send_email', args: { to: '[EMAIL]', body: 'Lunch at noon?' } });
  assert.deepEqual(result.metadata, { audited: 'send_email' });
  const entries = Object.values(contexts) as Array<{ global_context: { request_id: string; tenant_id: string } }>;
  assert.equal(entries.length, 3, 'one context per plugin that ran');
  for (const entry of entries) assert.equal(entry.global_context.request_id, 'req-fixed-1');
  assert.equal(entries[0]!.global_context.tenant_id, 'acme');
});

test('cordon invoke reads stdin, prints the blocked result and exits 1', async () => {
  const input = await readFile(join(ROOT, FIXTURES, 'blocked.json'), 'utf8');
  const { code, stdout, stderr } = await cordon(['invoke', CONFIG, 'tool_pre_invoke', '-'], { input });
  assert.equal(code, 1);
  const { result, contexts } = JSON.parse(stdout);
  assert.equal(result.continue_processing, false);
  assert.equal(result.violation.plugin_name, 'deny');
  assert.equal(result.violation.code, 'DENIED_PHRASE');
  assert.equal(result.modified_payload.args.to, '[EMAIL]', 'the payload so far, with redact\'s accepted change');
  assert.ok(Object.keys(contexts).every((key) => key.length > 0));
  assert.equal(stderr, 'cordon: tool_pre_invoke blocked by plugin deny: DENIED_PHRASE - Denied phrase (arguments mention "ignore previous instructions")\n');
});

test('cordon invoke of a hook no plugin registers passes with a null context table', async () => {
  const { code, stdout } = await cordon(['invoke', CONFIG, 'prompt_pre_fetch', '-'], { input: '{"prompt_id": "p", "args": {}}' });
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout), { result: { continue_processing: true, modified_payload: null, violation: null, metadata: {} }, contexts: null });
});

test('cordon invoke exits 2 on bad input, with one line on stderr', async () => {
  const cases: Array<[string[], string | undefined, RegExp]> = [
    [['invoke', CONFIG, 'tool_pre_invoke', '-'], '{"name": 3}', /^cordon: Invalid tool_pre_invoke payload: name: .*; args: /],
    [['invoke', CONFIG, 'tool_pre_invoke', '-'], '{"name": ', /^cordon: payload stdin is not valid JSON: /],
    [['invoke', CONFIG, 'tool_pre_invoke', `${FIXTURES}/absent.json`], undefined, /^cordon: cannot read payload test\/fixtures\/cli\/absent\.json: file not found$/],
    [['invoke', CONFIG, 'tool_pre_invok', `${FIXTURES}/pass.json`], undefined, /^cordon: unknown hook tool_pre_invok: .*did you mean tool_pre_invoke\?$/],
    [['invoke', CONFIG, 'tool_pre_invoke', `${FIXTURES}/pass.json`, '--context', `${FIXTURES}/bad-context.json`], undefined,
      /^cordon: Invalid tool_pre_invoke payload: global_context\.request_id: /],
    [['invoke', `${FIXTURES}/bad.yaml`, 'tool_pre_invoke', `${FIXTURES}/pass.json`], undefined, /^cordon: invalid config .*plugins\[0\]\.mode/],
  ];
  for (const [args, input, expected] of cases) {
    const { code, stdout, stderr } = await cordon(args, { input });
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
    assert.match(stderr.trimEnd(), expected);
  }
});

test('cordon --verbose adds the stack trace', async () => {
  const { code, stderr } = await cordon(['--verbose', 'invoke', CONFIG, 'tool_pre_invoke', '-'], { input: '{"name": 3}' });
  assert.equal(code, 2);
  assert.match(stderr, /^cordon: Invalid tool_pre_invoke payload/);
  assert.match(stderr, /\n\s+at /);
});

test("a plugin's control characters reach neither the terminal through `cordon invoke` nor through `cordon run`", async () => {
  const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
  const invoked = await cordon(['invoke', `${FIXTURES}/escaper.yaml`, 'tool_pre_invoke', '-'], { input: '{"name": "t", "args": {}}' });
  assert.equal(invoked.code, 1, invoked.stderr);
  assert.doesNotMatch(invoked.stdout, raw);
  assert.doesNotMatch(invoked.stderr, raw);
  assert.equal(JSON.parse(invoked.stdout).result.violation.reason, 'r\u001b[2J\nforged line', 'the JSON still holds the data');
  assert.match(invoked.stderr, /^cordon: tool_pre_invoke blocked by plugin escaper: ESC\\u000d - r\\u001b\[2J\\nforged line/);
  const ran = await cordon(['run', `${FIXTURES}/escaper.yaml`]);
  assert.match(ran.stdout, /blocked/, ran.stdout);
  assert.doesNotMatch(ran.stdout, raw);
  assert.doesNotMatch(ran.stderr, raw);
});

test('the example of cordon invoke --help runs as written and the bundled chain lets it through', async () => {
  const help = await cordon(['invoke', '--help']);
  const lines = help.stdout.split('\n');
  const example = lines[lines.findIndex((l) => l.startsWith('Example')) + 1]!.trim();
  assert.match(example, /\| cordon invoke /);
  // the example as a shell runs it, with `cordon` standing for this checkout's CLI
  const script = `cordon() { "${process.execPath}" "${CLI}" "$@"; }\n${example}`;
  const { stdout } = await promisify(execFile)('sh', ['-c', script], { cwd: tmpdir(), env: { ...process.env, NO_COLOR: '' } });
  assert.equal(JSON.parse(stdout).result.continue_processing, true);
});
