import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { ctx, useManagers } from './harness.js';
import { AWS_ID, AWS_SECRET, SLACK, secretsYaml } from './secrets-config.js';

/** The Rust crate's own tests of cpex secrets-detection 0.2.0 (config.rs, patterns.rs, scanner.rs): its pattern table. */

const managerFor = useManagers();

// one sample per pattern of ContextForge's table, each matched by that pattern alone
const SAMPLES: Record<string, string> = {
  aws_access_key_id: `id ${AWS_ID}`,
  aws_secret_access_key: `aws secret key = ${AWS_SECRET}`,
  google_api_key: 'maps AIzaSyD4x9Qm2Lw7Rt5Yv8Kp3Nb6Hc1Jd0Fg-Se here',
  github_token: 'ghp_Zq8Lw2Xv9Rt4Ym6Kp1Nb7Hc3Jd5Fg0Se2UaQ',
  stripe_secret_key: 'rk_test_NotARealKey00000000',
  generic_api_key_assignment: 'x-api-key: Zx8f2Qm9Lr4Tn7Vb1Kc6Wd3P',
  slack_token: `SLACK_TOKEN=${SLACK}`,
  private_key_block: '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEINotARealKeyJustBytes\n-----END EC PRIVATE KEY-----',
  jwt_like: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0ZXIifQ.c2lnbmF0dXJlLWhlcmU',
  hex_secret_32: 'digest 9f86d081884c7d659a2feaa0c55ad015 ok',
  base64_24: 'blob QmFzZTY0IGlzIG5vdCBhIHNlY3JldA== end',
};
const TYPES = Object.keys(SAMPLES);
const only = (type: string) => `enabled: { ${TYPES.map((t) => `${t}: ${t === type}`).join(', ')} }`;
const types = (metadata: Record<string, unknown>) => (metadata.secrets_findings as Array<{ type: string }> | undefined)?.map((f) => f.type) ?? [];
const prompt = (args: Record<string, string>) => ({ prompt_id: 'p', args });

describe("SecretsDetectionPlugin's pattern table, as ContextForge configures it", () => {
  let defaults: PluginManager;
  before(async () => {
    defaults = await managerFor('sd-defaults', secretsYaml('Defaults'));
  });

  it('knows its eleven patterns by name, each finding its kind of secret when switched on alone', async () => {
    const yaml = TYPES.map((type) => secretsYaml(`Only_${type}`, only(type), 'block_on_detection: false, redact: false')
      .replace('plugins:\n', '')).join('');
    const manager = await managerFor('sd-each', `plugins:\n${yaml}`);
    for (const type of TYPES) {
      const found = await manager.invokeHookForPlugin(`Only_${type}`, 'prompt_pre_fetch', prompt({ sample: SAMPLES[type]! }), ctx);
      assert.deepEqual(types(found.metadata), [type], type);
    }
    await assert.rejects(managerFor('sd-unknown', secretsYaml('Unknown', 'enabled: { password: true }')), /config\.enabled.*password: ContextForge has no such pattern/);
  });

  it('leaves its broad patterns off unless named: generic assignments, JWT-like, hex and base64 runs', async () => {
    const broad = { access: "access_token = 'abcdefghijklmnopqrstuvwx'", jwt: SAMPLES.jwt_like!, hex: SAMPLES.hex_secret_32!, b64: SAMPLES.base64_24! };
    const { result } = await defaults.invokeHook('prompt_pre_fetch', prompt(broad), ctx);
    assert.deepEqual([result.modified_payload, result.metadata], [null, {}]);
    const narrow = (await defaults.invokeHook('prompt_pre_fetch', prompt({ ...broad, key: SAMPLES.aws_access_key_id! }), ctx)).result;
    assert.deepEqual(narrow.metadata, { secrets_redacted: true, count: 1 });
  });

  it('finds an AWS secret access key by its label, and redacts label and key as one', async () => {
    const { result } = await defaults.invokeHook('tool_post_invoke', {
      name: 'env', result: [{ value: 'clean' }, `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, `export aws_access = ${AWS_SECRET} # prod`],
    }, ctx);
    assert.deepEqual(result.modified_payload, { name: 'env', result: [{ value: 'clean' }, '[REDACTED]', 'export [REDACTED] # prod'] });
    assert.deepEqual(result.metadata, { secrets_redacted: true, count: 2 });
    const reporter = await managerFor('sd-aws-report', secretsYaml('Report', 'redact: false', 'block_on_detection: false'));
    const reported = (await reporter.invokeHook('prompt_pre_fetch', prompt({ env: `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}` }), ctx)).result;
    assert.deepEqual(types(reported.metadata), ['aws_secret_access_key']);
  });

  it('writes the redaction text as given, never reading $1 in it as the match of a group', async () => {
    const manager = await managerFor('sd-dollar', secretsYaml('Dollar', '', 'block_on_detection: false, redact: true, redaction_text: "<$1 $$ ${0}>"'));
    const { result } = await manager.invokeHook('prompt_pre_fetch', prompt({ env: `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, id: AWS_ID }), ctx);
    assert.deepEqual(result.modified_payload, prompt({ env: '<$1 $$ ${0}>', id: '<$1 $$ ${0}>' }));
  });

  it('finds a generic API key assignment once switched on, and not a short value or prose about one', async () => {
    const manager = await managerFor('sd-generic', secretsYaml('Generic', 'enabled: { generic_api_key_assignment: true }', 'block_on_detection: false, redact: false'));
    const found = (await manager.invokeHook('prompt_pre_fetch', prompt({ h: 'X-API-Key: test98765432109876543210' }), ctx)).result;
    assert.deepEqual(types(found.metadata), ['generic_api_key_assignment']);
    const prose = { a: 'api_key=short', b: 'api key rotation is enabled', c: 'The api_key field is documented below' };
    const none = (await manager.invokeHook('prompt_pre_fetch', prompt(prose), ctx)).result;
    assert.deepEqual(none.metadata, {});
  });

  it('counts a span two patterns match once for each, redacting it once', async () => {
    const manager = await managerFor('sd-overlap', secretsYaml('Overlap', 'enabled: { hex_secret_32: true, base64_24: true }'));
    const { result } = await manager.invokeHook('prompt_pre_fetch', prompt({ sha: 'sha1 a94a8fe5ccb19ba61c4c0873d391e987982fbbd3' }), ctx);
    assert.deepEqual(result.modified_payload, prompt({ sha: 'sha1 [REDACTED]' }));
    assert.deepEqual(result.metadata, { secrets_redacted: true, count: 2 });
  });

  it("takes AWS's documented example key for a key: its table has no allowlist, and no checksum", async () => {
    const { result } = await defaults.invokeHook('prompt_pre_fetch', prompt({ k: 'AKIAIOSFODNN7EXAMPLE', g: 'ghp_000000000000000000000000000000000000' }), ctx);
    assert.deepEqual(result.modified_payload, prompt({ k: '[REDACTED]', g: '[REDACTED]' }));
  });

  it('reads a word boundary and white space as Rust does: Unicode letters are word characters, U+0085 is a space', async () => {
    const manager = await managerFor('sd-unicode', secretsYaml('Unicode', 'enabled: { generic_api_key_assignment: true }', 'block_on_detection: false, redact: false'));
    const glued = (await manager.invokeHook('prompt_pre_fetch', prompt({ a: `clé${AWS_ID}`, b: `clé ${AWS_ID}` }), ctx)).result;
    assert.deepEqual(types(glued.metadata), ['aws_access_key_id']);
    const nel = (await manager.invokeHook('prompt_pre_fetch', prompt({ a: 'api_key\u0085=\u0085Zx8f2Qm9Lr4Tn7Vb1Kc6Wd3P' }), ctx)).result;
    assert.deepEqual(types(nel.metadata), ['generic_api_key_assignment']);
    // `={0,2}` then a boundary: the padding of a base64 run at the end of a word is left out of the match
    const redactor = await managerFor('sd-b64', secretsYaml('B64', 'enabled: { base64_24: true }'));
    const padded = (await redactor.invokeHook('prompt_pre_fetch', prompt({ b: SAMPLES.base64_24! }), ctx)).result;
    assert.deepEqual(padded.modified_payload, prompt({ b: 'blob [REDACTED]== end' }));
  });

  it("reads a resource's text alone, not its uri, id or blob", async () => {
    const manager = await managerFor('sd-resource', secretsYaml('Resource', 'enabled: { base64_24: true }'));
    const uri = 'file:///srv/exports/QuarterlyRevenueSummaryFinal.txt';
    const content = { type: 'resource', id: 'res-3', uri, blob: 'UXVhcnRlcmx5UmV2ZW51ZVN1bW1hcnk=', text: SAMPLES.base64_24! };
    const { result } = await manager.invokeHook('resource_post_fetch', { uri, content }, ctx);
    assert.deepEqual(result.modified_payload, { uri, content: { ...content, text: 'blob [REDACTED]== end' } });
    assert.deepEqual(result.metadata, { secrets_redacted: true, count: 1 });
  });

  it('redacts a whole private key, not only its BEGIN line, PKCS#8 keys included', async () => {
    const pkcs8 = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw\n-----END PRIVATE KEY-----';
    const { result } = await defaults.invokeHook('prompt_pre_fetch', prompt({ a: `key:\n${SAMPLES.private_key_block!}\nend`, b: pkcs8, c: '-----BEGIN RSA PRIVATE KEY-----\nMIIEcut' }), ctx);
    assert.deepEqual(result.modified_payload, prompt({ a: 'key:\n[REDACTED]\nend', b: '[REDACTED]', c: '[REDACTED]' }));
    assert.deepEqual(result.metadata, { secrets_redacted: true, count: 3 });
  });

  it('refuses at load what ContextForge refuses: a redact or block_on_detection that is not a boolean, a negative min_findings_to_block', async () => {
    await assert.rejects(managerFor('sd-bad-redact', secretsYaml('Bad', '', 'redact: "yes"')), /config\.redact.*must be true or false/);
    await assert.rejects(managerFor('sd-bad-block', secretsYaml('Bad', '', 'block_on_detection: 1')), /config\.block_on_detection.*must be true or false/);
    await assert.rejects(managerFor('sd-bad-min', secretsYaml('Bad', 'min_findings_to_block: -1')), /config\.min_findings_to_block/);
    // 0 too, where ContextForge would block every call, a clean one included
    await assert.rejects(managerFor('sd-zero-min', secretsYaml('Bad', 'min_findings_to_block: 0')), /config\.min_findings_to_block/);
  });
});
