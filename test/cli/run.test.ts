import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANSI, cordon, FIXTURES, tableRows } from './helpers.js';

test('cordon run shows each plugin ran, modified or blocked on the samples, and the chain verdict', async () => {
  const { code, stdout, stderr } = await cordon(['run', `${FIXTURES}/config.yaml`]);
  assert.equal(code, 0, stderr);
  const rows = tableRows(stdout, 'HOOK');
  const row = (hook: string, plugin: string) => {
    const found = rows.find((r) => r.HOOK === hook && r.PLUGIN === plugin);
    assert.ok(found, `no row for ${plugin} on ${hook} in:\n${stdout}`);
    return found;
  };
  assert.equal(row('tool_pre_invoke', 'audit').OUTCOME, 'ran');
  assert.match(row('tool_pre_invoke', 'audit').DETAIL!, /"audited":"send_email"/);
  assert.equal(row('tool_pre_invoke', 'redact').OUTCOME, 'modified');
  assert.match(row('tool_pre_invoke', 'redact').DETAIL!, /args\.to: "dana\.whitfield@example\.com" -> "\[EMAIL\]"/);
  assert.equal(row('tool_pre_invoke', 'deny').OUTCOME, 'blocked');
  assert.match(row('tool_pre_invoke', 'deny').DETAIL!, /^DENIED_PHRASE: Denied phrase/);
  assert.equal(row('tool_pre_invoke', 'retired').OUTCOME, 'skipped');
  assert.equal(row('tool_pre_invoke', '(chain)').OUTCOME, 'blocked');
  assert.match(row('tool_pre_invoke', '(chain)').DETAIL!, /^by deny: /);
  assert.equal(row('tool_post_invoke', 'redact').OUTCOME, 'modified');
  assert.match(row('tool_post_invoke', 'redact').DETAIL!, /OWNER=\[EMAIL\]/);
  assert.equal(row('tool_post_invoke', '(chain)').OUTCOME, 'modified');
  assert.equal(row('audit_log', 'audit').OUTCOME, 'skipped');
  assert.match(row('audit_log', 'audit').DETAIL!, /custom hook: no sample payload/);
  // timings are shown for what ran, not for what was skipped
  assert.match(row('tool_pre_invoke', 'deny').TIME!, /^\d+(\.\d+)? ms$/);
  assert.equal(row('tool_pre_invoke', 'retired').TIME, '-');
  assert.match(stdout, /Plugins: 2 ran, 2 modified, 1 blocked, 0 failed, 2 skipped/);
  assert.doesNotMatch(stdout, ANSI, 'no colour when stdout is not a TTY');
});

test('cordon run exits 1 and shows the error row when a plugin fails', async () => {
  const { code, stdout } = await cordon(['run', `${FIXTURES}/failing.yaml`]);
  assert.equal(code, 1);
  const crash = tableRows(stdout, 'HOOK').find((r) => r.PLUGIN === 'crash');
  assert.equal(crash?.OUTCOME, 'error');
  assert.match(crash.DETAIL!, /audit backend unreachable/);
});

test('cordon run without a config runs the bundled plugins/config.yaml', async () => {
  const { stdout, stderr } = await cordon(['run']);
  // the bundled chain may still be in the making: either way the bundled path is the one used
  assert.match(stdout + stderr, /[/\\]plugins[/\\]config\.yaml/);
});

test('cordon run on a bad config exits 2 with one line naming the zod path', async () => {
  const { code, stdout, stderr } = await cordon(['run', `${FIXTURES}/bad.yaml`]);
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
  assert.match(stderr, /^cordon: invalid config test\/fixtures\/cli\/bad\.yaml: plugins\[0\]\.mode: Invalid option/);
});

test('cordon run reads outcomes with the plugin\'s mode: a permissive block would block, an ignored failure is still shown', async () => {
  const { code, stdout } = await cordon(['run', `${FIXTURES}/modes.yaml`]);
  assert.equal(code, 1, 'a failing plugin fails the run even when its mode lets the chain go on');
  const rows = tableRows(stdout, 'HOOK');
  assert.equal(rows.find((r) => r.PLUGIN === 'deny')?.OUTCOME, 'would block');
  const crash = rows.find((r) => r.PLUGIN === 'crash');
  assert.equal(crash?.OUTCOME, 'error');
  assert.match(crash.DETAIL!, /^ignored by its mode, the chain goes on: .*audit backend unreachable/);
  assert.equal(rows.find((r) => r.PLUGIN === '(chain)')?.OUTCOME, 'ran');
});

test('cordon run says which plugin rows the chain did not run as shown: after a block, or only when conditions match', async () => {
  const { code, stdout, stderr } = await cordon(['run', `${FIXTURES}/run-chain.yaml`]);
  assert.equal(code, 0, stderr);
  const rows = tableRows(stdout, 'HOOK');
  const detail = (plugin: string) => rows.find((r) => r.PLUGIN === plugin)?.DETAIL ?? '';
  assert.match(detail('audit'), /\(not run by the chain: deny blocked first\)$/);
  assert.doesNotMatch(detail('deny'), /not run by the chain/);
  assert.match(detail('redact'), /\(has conditions: the chain runs it only when they match\)$/);
  assert.match(detail('(chain)'), /^by deny: /);
  assert.match(stdout, /Each plugin row runs that plugin alone on the untouched sample, its conditions not applied/);
});
