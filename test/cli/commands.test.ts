import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { HOOK_NAMES, hookSpec } from '../../src/core/hooks.js';
import { CLI, cordon } from './helpers.js';

test('the built entry keeps its shebang', async () => {
  assert.match(await readFile(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});

test('cordon hooks lists every hook point with its payload and writable fields', async () => {
  const { code, stdout } = await cordon(['hooks']);
  assert.equal(code, 0);
  for (const hook of HOOK_NAMES) assert.match(stdout, new RegExp(`^${hook}$`, 'm'));
  assert.match(stdout, /^tool_pre_invoke\n {2}payload {4}name: string, args: object, headers\?: string map\n {2}condition {2}tools \(matches name\)\n {2}writable {3}name, args, headers$/m);
  assert.match(stdout, /^http_auth_check_permission\n(?:.*\n){2} {2}writable {3}none: .*granted: boolean/m);
});

test('cordon hooks --json matches the runtime\'s own table', async () => {
  const { code, stdout } = await cordon(['hooks', '--json']);
  assert.equal(code, 0);
  const listed = JSON.parse(stdout) as Array<{ hook: string; writable: string[] | null; payload: Array<{ field: string; optional: boolean }> }>;
  assert.deepEqual(listed.map((h) => h.hook), HOOK_NAMES);
  for (const h of listed) {
    assert.deepEqual(h.writable, hookSpec(h.hook).writable);
    const required = h.payload.filter((f) => !f.optional).map((f) => f.field);
    // a payload missing any field listed as required must fail the hook's schema
    for (const field of required) {
      const probe = Object.fromEntries(required.filter((f) => f !== field).map((f) => [f, 'x']));
      assert.equal(hookSpec(h.hook).payloadSchema.safeParse(probe).success, false, `${h.hook}.${field} is required`);
    }
  }
});

test('--help works for the program and for each command', async () => {
  const top = await cordon(['--help']);
  assert.equal(top.code, 0);
  for (const command of ['run', 'validate', 'invoke', 'hooks', 'bench']) assert.match(top.stdout, new RegExp(`^ {2}${command}\\b`, 'm'));
  for (const command of ['run', 'validate', 'invoke', 'hooks', 'bench']) {
    const { code, stdout } = await cordon([command, '--help']);
    assert.equal(code, 0, command);
    assert.match(stdout, new RegExp(`^Usage: cordon ${command}`, 'm'));
  }
  assert.match((await cordon(['bench', '--help'])).stdout, /--quick/);
});

test('--version prints the package version', async () => {
  const { version } = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8'));
  const { code, stdout } = await cordon(['--version']);
  assert.equal(code, 0);
  assert.equal(stdout.trim(), version);
});

test('usage errors exit 2 with one line on stderr', async () => {
  for (const args of [['runn'], ['validate'], ['run', 'a.yaml', 'b.yaml'], ['hooks', '--bogus']]) {
    const { code, stderr } = await cordon(args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, /^cordon: /);
  }
});
