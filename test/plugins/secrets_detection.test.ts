import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import secretsDetection from '../../plugins/secrets_detection.js';
import type { SecretsDetectionConfig } from '../../plugins/schemas.js';
import { assertIssueAt, configErrors, parseConfig } from './helpers.js';

const build = (config: unknown = {}) => secretsDetection(parseConfig<SecretsDetectionConfig>('secrets_detection', config));
const redactor = build({ action: 'redact', redaction_text: '***' });

// Fictitious credentials in each provider's format, assembled from parts so that no scanner reads this file as a leak.
// (AWS's documented example pair, AKIAIOSFODNN7EXAMPLE and its secret, is on the allowlist: see the last test.)
const AWS_ID = ['AKIA', 'Q3T7XK2MZ5WB4NRD'].join('');
const AWS_SECRET = ['wJa1rXUtnFZMI/K7MDQNG', '/bPxRfiCYzK8vLq3TnR'].join('');
const GITHUB = 'ghp_1a2B3c4D5e6F7g8H9i0JkLmNoPqRsTuVwXyZ';
const SLACK = 'xoxb-2048-1337-AbCdEfGhIjKlMnOpQrStUv';
const GOOGLE = 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW';
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZUBleGFtcGxlLmNvbSJ9.Xq8JcSLwGq3Hn2sT1rJr7b5yq3aZxYbq8pYkZ1oQw2c';
const PRIVATE_KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----';

describe('secrets_detection', () => {
  it('blocks a tool result that leaks cloud keys, naming only the types', () => {
    const result = build().tool_post_invoke({
      name: 'read_file',
      result: { content: [{ type: 'text', text: `AWS_ACCESS_KEY_ID=${AWS_ID}\nAWS_SECRET_ACCESS_KEY=${AWS_SECRET}\n` }] },
    });
    assert.deepEqual(result, {
      continue_processing: false,
      violation: {
        reason: 'Secret detected',
        description: 'Found 2 secret(s): aws_access_key, aws_secret_key',
        code: 'SECRETS_DETECTED',
        details: { types: { aws_access_key: 1, aws_secret_key: 1 } },
      },
      metadata: { secrets_found: 2, secret_types: { aws_access_key: 1, aws_secret_key: 1 } },
    });
    assert.doesNotMatch(JSON.stringify(result), /AKIA|wJalr/);
  });

  it('redacts each token kind in nested args, keeping the text around it', () => {
    const result = redactor.tool_pre_invoke({
      name: 'deploy',
      args: {
        env: { GITHUB_TOKEN: GITHUB, note: `slack ${SLACK}; maps key=${GOOGLE}` },
        headers: [`Authorization: Bearer ${JWT}`],
        config: 'api_key = "Zx8f2Qm9Lr4Tn7Vb1Kc6" # rotate monthly',
        client_secret: 'q8Z2mR7xL4vN9tB3wK6p',
      },
    });
    assert.deepEqual(result, {
      modified_payload: {
        name: 'deploy',
        args: {
          env: { GITHUB_TOKEN: '***', note: 'slack ***; maps key=***' },
          headers: ['Authorization: Bearer ***'],
          config: 'api_key = "***" # rotate monthly',
          client_secret: '***',
        },
      },
      metadata: {
        secrets_found: 6,
        secret_types: { github_token: 1, slack_token: 1, google_api_key: 1, jwt: 1, generic_api_key: 2 },
      },
    });
  });

  it('redacts a whole private key block, and a truncated one to the end of the text', () => {
    const result = redactor.resource_post_fetch({
      uri: 'file:///home/deploy/.ssh/id_rsa',
      content: [`key:\n${PRIVATE_KEY}\ndone`, `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE`],
    });
    assert.deepEqual(result?.modified_payload, { uri: 'file:///home/deploy/.ssh/id_rsa', content: ['key:\n***\ndone', '***'] });
  });

  it('leaves short, low-entropy and unlabelled values alone', () => {
    const payload = {
      name: 'configure',
      args: {
        text: 'password: hunter2, api_key=aaaaaaaaaaaaaaaaaaaaaaaa, build 4f9c2e1a7b3d5f8e0c6a',
        token: 'placeholder-placeholder',
        request_id: 'q8Z2mR7xL4vN9tB3wK6p',
      },
    };
    assert.equal(build().tool_pre_invoke(payload), undefined);
  });

  it('scans prompt messages and skips disabled detectors', () => {
    const plugin = build({ action: 'redact', detect: { jwt: false } });
    const result = plugin.prompt_post_fetch({
      prompt_id: 'debug',
      result: { messages: [{ role: 'user', content: `token ${JWT} and ${AWS_ID}` }] },
    });
    assert.deepEqual(result?.modified_payload, {
      prompt_id: 'debug',
      result: { messages: [{ role: 'user', content: `token ${JWT} and [REDACTED:aws_access_key]` }] },
    });
  });

  it('redacts credentials given beside their user, keeping the type visible', () => {
    const pw = ['S3cr3t', 'Pa55'].join('');
    const text = `curl -u admin:${pw} https://x.example.com\nredis://:${pw}@cache:6379\nDB_PASSWORD=${pw}!x`;
    const result = build({ action: 'redact' }).tool_post_invoke({ name: 'sh', result: text });
    assert.equal(result?.modified_payload?.result, 'curl -u admin:[REDACTED:authorization_header] https://x.example.com\n'
      + 'redis://:[REDACTED:url_credentials]@cache:6379\nDB_PASSWORD=[REDACTED:password]');
    assert.equal(build().tool_post_invoke({ name: 'sh', result: 'curl -u "$USER:$PASS" https://x; postgres://u:password@db/x' }), undefined);
  });

  it('allows AWS\'s documented example credentials and other placeholders', () => {
    const text = 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n'
      + 'OPENAI_API_KEY=sk-...\napi_key: <YOUR_API_KEY>\ntoken = "${GITHUB_TOKEN}"';
    assert.equal(build().tool_post_invoke({ name: 'read_file', result: text }), undefined);
  });

  it('report lets the call through with the findings in metadata; below min_findings_to_block a block becomes below_min_findings', () => {
    const text = `id ${AWS_ID} and ${GITHUB}`;
    assert.deepEqual(build({ action: 'report' }).tool_post_invoke({ name: 't', result: text }),
      { metadata: { secrets_found: 2, secret_types: { aws_access_key: 1, github_token: 1 } } });
    const three = build({ min_findings_to_block: 3, below_min_findings: 'redact', redaction_text: '#', type_names: { github_token: 'gh' } });
    assert.deepEqual(three.tool_post_invoke({ name: 't', result: text }),
      { modified_payload: { name: 't', result: 'id # and #' }, metadata: { secrets_found: 2, secret_types: { aws_access_key: 1, gh: 1 } } });
    assert.equal(three.tool_post_invoke({ name: 't', result: `${text} ${SLACK}` })?.continue_processing, false);
  });

  it('rejects a bad config naming the field', () => {
    assertIssueAt(configErrors('secrets_detection', { action: 'warn' }), 'action');
    assertIssueAt(configErrors('secrets_detection', { detect: { aws: true } }), 'detect', /aws/);
    assertIssueAt(configErrors('secrets_detection', { min_entropy: 9 }), 'min_entropy');
    assertIssueAt(configErrors('secrets_detection', { min_findings_to_block: 0 }), 'min_findings_to_block');
  });
});
