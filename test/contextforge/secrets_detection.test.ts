import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { ctx, useManagers } from './harness.js';
import { AWS_ID, SLACK, secretsYaml } from './secrets-config.js';

/** cpex secrets-detection 0.2.0's tests (plugins/tests/secrets_detection and the Rust crate's). */

const managerFor = useManagers();

describe('SecretsDetectionPlugin, as ContextForge configures it', () => {
  it('blocks a secret of an enabled type, and lets a disabled type through', async () => {
    const manager = await managerFor('secrets', `
plugins:
  - name: "Secrets"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["tool_pre_invoke"]
    mode: "enforce"
    config:
      enabled: { aws_access_key_id: true, slack_token: false }
      redact: false
      block_on_detection: true
      min_findings_to_block: 1
`);
    const aws = (await manager.invokeHook('tool_pre_invoke', { name: 't', args: { key: 'AKIAZ7QX4MNB2KDRWQ3P' } }, ctx)).result;
    assert.equal(aws.continue_processing, false);
    const slack = (await manager.invokeHook('tool_pre_invoke', { name: 't', args: { key: 'xoxb-2048-4096-AbCdEfGhIjKlMnOpQrStUv' } }, ctx)).result;
    assert.equal(slack.continue_processing, true);
  });

  it('finds its default set unless enabled says otherwise (a type not named keeps its default), and nothing it has no pattern for', async () => {
    const manager = await managerFor('secrets-defaults', `
plugins:
  - name: "SecretsDefault"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["tool_post_invoke"]
    config: { redact: false, block_on_detection: false }
  - name: "SecretsBroad"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["prompt_pre_fetch"]
    config:
      enabled: { jwt_like: true, generic_api_key_assignment: true, github_token: false }
      block_on_detection: false
`);
    const samples = {
      aws: 'key AKIAZ7QX4MNB2KDRWQ3P',
      github: 'token ghp_Zq8Lw2Xv9Rt4Ym6Kp1Nb7Hc3Jd5Fg0Se2UaQ',
      stripe: 'sk_live_4eC39HqLyjWDarjtT1zdp7dcQ9',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.Xk3v9QpL2mZr8TnW4yB6cD1fG7hJ0sA5eU',
      generic: 'api_key = "Q7mZ2xLw9Rt4Yv6Kp1Nb8Hc3"',
      // no ContextForge pattern finds these
      password: 'db password = "Tr0ub4dor&3x!"',
      webhook: 'https://hooks.slack.com/services/T0ABCDEFG/B0HIJKLMN/AbCdEfGhIjKlMnOpQrStUvWx',
    };
    const types = (metadata: Record<string, unknown>) => (metadata.secrets_findings as Array<{ type: string }>).map((f) => f.type).sort();
    const defaults = (await manager.invokeHook('tool_post_invoke', { name: 't', result: samples }, ctx)).result;
    assert.deepEqual(types(defaults.metadata), ['aws_access_key_id', 'github_token', 'stripe_secret_key']);
    const broad = (await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'p', args: samples }, ctx)).result;
    assert.deepEqual(types(broad.metadata), ['aws_access_key_id', 'generic_api_key_assignment', 'jwt_like', 'stripe_secret_key']);
  });

  it("blocks with its reason and where it looked, and redacts with its ***REDACTED*** when told to redact instead", async () => {
    const manager = await managerFor('secrets-cf', `
plugins:
  - name: "SecretsBlock"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["prompt_pre_fetch"]
    config: { enabled: { aws_access_key_id: true } }
  - name: "SecretsRedact"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["tool_post_invoke"]
    config: { enabled: { aws_access_key_id: true }, redact: true, block_on_detection: false }
`);
    const blocked = (await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'p', args: { key: 'use AKIAZ7QX4MNB2KDRWQ3P' } }, ctx)).result;
    assert.equal(blocked.continue_processing, false);
    assert.deepEqual([blocked.violation?.reason, blocked.violation?.description, blocked.violation?.code],
      ['Secrets detected', 'Potential secrets detected in prompt arguments', 'SECRETS_DETECTED']);
    const redacted = (await manager.invokeHook('tool_post_invoke', { name: 't', result: { out: 'key AKIAZ7QX4MNB2KDRWQ3P set' } }, ctx)).result;
    assert.deepEqual(redacted.modified_payload, { name: 't', result: { out: 'key ***REDACTED*** set' } });
    assert.deepEqual(redacted.metadata, { secrets_redacted: true, count: 1 });
    assert.deepEqual(blocked.violation?.details, { count: 1, examples: [{ type: 'aws_access_key_id' }] });
  });

  it('block_on_detection: false without redact reports the findings in metadata and lets the call through unchanged', async () => {
    const manager = await managerFor('secrets-report', `
plugins:
  - name: "SecretsReport"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["prompt_pre_fetch"]
    config: { enabled: { aws_access_key_id: true }, redact: false, block_on_detection: false }
`);
    const { result } = await manager.invokeHook('prompt_pre_fetch', { prompt_id: 'p', args: { key: 'use AKIAZ7QX4MNB2KDRWQ3P' } }, ctx);
    assert.equal(result.continue_processing, true);
    assert.equal(result.violation ?? null, null);
    assert.equal(result.modified_payload ?? null, null);
    assert.deepEqual(result.metadata, { secrets_findings: [{ type: 'aws_access_key_id' }], count: 1 });
  });

  it('min_findings_to_block: fewer findings pass (redacted when redact is true), as many block', async () => {
    const manager = await managerFor('secrets-threshold', `
plugins:
  - name: "SecretsTwo"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["tool_pre_invoke"]
    config: { enabled: { aws_access_key_id: true }, redact: false, block_on_detection: true, min_findings_to_block: 2 }
  - name: "SecretsTwoRedact"
    kind: "cpex_secrets_detection.SecretsDetectionPlugin"
    hooks: ["tool_post_invoke"]
    config: { enabled: { aws_access_key_id: true }, redact: true, redaction_text: "[KEY]", min_findings_to_block: 2 }
`);
    const one = (await manager.invokeHook('tool_pre_invoke', { name: 't', args: { a: 'AKIAZ7QX4MNB2KDRWQ3P' } }, ctx)).result;
    assert.equal(one.continue_processing, true);
    assert.equal(one.modified_payload ?? null, null);
    assert.deepEqual(one.metadata, { secrets_findings: [{ type: 'aws_access_key_id' }], count: 1 });
    const two = (await manager.invokeHook('tool_pre_invoke', { name: 't', args: { a: 'AKIAZ7QX4MNB2KDRWQ3P', b: 'AKIAQ3MV7KXR7TZP2LWN' } }, ctx)).result;
    assert.equal(two.continue_processing, false);
    assert.deepEqual(two.violation?.details, { count: 2, examples: [{ type: 'aws_access_key_id' }, { type: 'aws_access_key_id' }] });
    const redacted = (await manager.invokeHook('tool_post_invoke', { name: 't', result: { a: 'key AKIAZ7QX4MNB2KDRWQ3P' } }, ctx)).result;
    assert.deepEqual(redacted.modified_payload, { name: 't', result: { a: 'key [KEY]' } });
    assert.deepEqual(redacted.metadata, { secrets_redacted: true, count: 1 });
    const blocked = (await manager.invokeHook('tool_post_invoke', { name: 't', result: { a: 'AKIAZ7QX4MNB2KDRWQ3P AKIAQ3MV7KXR7TZP2LWN' } }, ctx)).result;
    assert.equal(blocked.continue_processing, false);
  });
});

describe('SecretsDetectionPlugin on its three hooks, configured as its own tests configure it', () => {
  let redactor: PluginManager;
  let blocker: PluginManager;
  let redactingBlocker: PluginManager;
  let reporter: PluginManager;
  before(async () => {
    [redactor, blocker, redactingBlocker, reporter] = await Promise.all([
      managerFor('sd-redact', secretsYaml('Redact')),
      managerFor('sd-block', secretsYaml('Block', '', 'block_on_detection: true, redact: false')),
      managerFor('sd-block-redact', secretsYaml('BlockRedact', 'min_findings_to_block: 1', 'block_on_detection: true, redact: true, redaction_text: "[REDACTED]"')),
      managerFor('sd-report', secretsYaml('Report', 'redact: false', 'block_on_detection: false')),
    ]);
  });
  const prompt = (input: string) => ({ prompt_id: 'prompt-7', args: { input } });
  const toolResult = (text: string) => ({ name: 'writer', result: { content: [{ type: 'text', text }], isError: false } });
  const resource = (text: string) => ({
    uri: 'file:///srv/app/.env', content: { type: 'resource', id: 'res-9', uri: 'file:///srv/app/.env', text },
  });

  it("redacts a prompt argument in a copy of the payload, leaving the caller's payload as it was", async () => {
    const payload = prompt(`AWS_ACCESS_KEY_ID=${AWS_ID}`);
    const { result } = await redactor.invokeHook('prompt_pre_fetch', payload, ctx);
    assert.equal(result.continue_processing, true);
    assert.equal(result.violation, null);
    assert.deepEqual(result.modified_payload, prompt('AWS_ACCESS_KEY_ID=[REDACTED]'));
    assert.deepEqual(result.metadata, { secrets_redacted: true, count: 1 });
    assert.deepEqual(payload, prompt(`AWS_ACCESS_KEY_ID=${AWS_ID}`));
  });

  it("redacts an MCP tool result's text where it stands, keeping the result's other fields", async () => {
    const payload = toolResult(`export AWS_ACCESS_KEY_ID=${AWS_ID}`);
    const { result } = await redactor.invokeHook('tool_post_invoke', payload, ctx);
    assert.equal(result.continue_processing, true);
    assert.deepEqual(result.modified_payload, toolResult('export AWS_ACCESS_KEY_ID=[REDACTED]'));
    assert.deepEqual(result.metadata, { secrets_redacted: true, count: 1 });
    assert.equal(payload.result.content[0]!.text, `export AWS_ACCESS_KEY_ID=${AWS_ID}`);
  });

  it("redacts a resource's text, keeping its uri and id", async () => {
    const payload = resource(`SLACK_TOKEN=${SLACK}`);
    const { result } = await redactor.invokeHook('resource_post_fetch', payload, ctx);
    assert.equal(result.continue_processing, true);
    assert.deepEqual(result.modified_payload, resource('SLACK_TOKEN=[REDACTED]'));
    assert.deepEqual(result.metadata, { secrets_redacted: true, count: 1 });
    assert.equal(payload.content.text, `SLACK_TOKEN=${SLACK}`);
  });

  it('leaves a clean payload alone on each hook: no modification, no violation, empty metadata', async () => {
    const clean: Array<[string, Record<string, unknown>]> = [
      ['prompt_pre_fetch', prompt('hello world')], ['tool_post_invoke', toolResult('plain text')], ['resource_post_fetch', resource('plain text')],
    ];
    for (const [hook, payload] of clean) {
      for (const manager of [redactor, blocker]) {
        const { result } = await manager.invokeHook(hook, payload, ctx);
        assert.deepEqual([result.continue_processing, result.violation, result.modified_payload, result.metadata], [true, null, null, {}], hook);
      }
    }
  });

  it('blocks on each hook when told to block without redacting, the payload left as it came', async () => {
    const where: Record<string, string> = { prompt_pre_fetch: 'prompt arguments', tool_post_invoke: 'tool result', resource_post_fetch: 'resource content' };
    const cases: Array<[string, Record<string, unknown>]> = [
      ['prompt_pre_fetch', prompt(`AWS_ACCESS_KEY_ID=${AWS_ID}`)],
      ['tool_post_invoke', { name: 'writer', result: { secret: `AWS_ACCESS_KEY_ID=${AWS_ID}` } }],
      ['resource_post_fetch', resource(`AWS_ACCESS_KEY_ID=${AWS_ID}`)],
    ];
    for (const [hook, payload] of cases) {
      const { result } = await blocker.invokeHook(hook, payload, ctx);
      assert.equal(result.continue_processing, false, hook);
      assert.equal(result.violation?.code, 'SECRETS_DETECTED');
      assert.equal(result.violation?.description, `Potential secrets detected in ${where[hook]!}`);
      assert.equal(result.modified_payload, null, `${hook}: nothing rewritten`);
      assert.deepEqual(result.metadata, {});
    }
  });

  it("blocks with the payload redacted when told to block and redact, the secret in neither the result nor the caller's payload", async () => {
    const payload = prompt(`AWS_ACCESS_KEY_ID=${AWS_ID}`);
    const { result } = await redactingBlocker.invokeHook('prompt_pre_fetch', payload, ctx);
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.code, 'SECRETS_DETECTED');
    assert.deepEqual(result.modified_payload, prompt('AWS_ACCESS_KEY_ID=[REDACTED]'));
    assert.doesNotMatch(JSON.stringify(result), /AKIA/);
    assert.deepEqual(payload, prompt(`AWS_ACCESS_KEY_ID=${AWS_ID}`));
  });

  it("names each finding by its type alone, never a part of the secret, in metadata and in a block's details", async () => {
    const reported = (await reporter.invokeHook('prompt_pre_fetch', prompt(`AWS_ACCESS_KEY_ID=${AWS_ID}`), ctx)).result;
    assert.equal(reported.continue_processing, true);
    assert.equal(reported.modified_payload, null);
    assert.deepEqual(reported.metadata, { secrets_findings: [{ type: 'aws_access_key_id' }], count: 1 });
    const blocked = (await blocker.invokeHook('prompt_pre_fetch', prompt(`AWS_ACCESS_KEY_ID=${AWS_ID}`), ctx)).result;
    assert.deepEqual(blocked.violation?.details, { count: 1, examples: [{ type: 'aws_access_key_id' }] });
    for (const result of [reported, blocked]) assert.doesNotMatch(JSON.stringify(result), /AKIA|T3ST/);
  });
});
