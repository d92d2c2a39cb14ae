import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ctx, useManagers } from './harness.js';

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
