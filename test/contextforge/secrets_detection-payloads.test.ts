import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { ctx, useManagers } from './harness.js';
import { AWS_ID, AWS_SECRET, SLACK, secretsYaml } from './secrets-config.js';

/**
 * cpex secrets-detection 0.2.0 walks whatever Python hands it: tuples, objects with __dict__ or __slots__, pydantic
 * models and their serializers, cycles. Cordon's payloads are plain JSON data, checked at admission: what its tests
 * expect of nested data is held here on arrays and plain objects, and what cannot cross (a class instance, a cycle)
 * is refused before any plugin reads it.
 */

const managerFor = useManagers();

describe('SecretsDetectionPlugin on nested payloads, configured as ContextForge writes it', () => {
  let redactor: PluginManager;
  let blocker: PluginManager;
  before(async () => {
    [redactor, blocker] = await Promise.all([
      managerFor('sd-nested-redact', secretsYaml('Redact')),
      managerFor('sd-nested-block', secretsYaml('Block', '', 'block_on_detection: true, redact: false')),
    ]);
  });
  const tool = (result: unknown) => ({ name: 'writer', result });

  it('redacts strings inside arrays where they stand, keeping the order and the clean items', async () => {
    const items = ['safe', 1, `AWS_ACCESS_KEY_ID=${AWS_ID}`, [`token ${SLACK}`, 'also safe']];
    const payload = tool(items);
    const { result } = await redactor.invokeHook('tool_post_invoke', payload, ctx);
    assert.equal(result.continue_processing, true);
    assert.deepEqual(result.modified_payload, tool(['safe', 1, 'AWS_ACCESS_KEY_ID=[REDACTED]', ['token [REDACTED]', 'also safe']]));
    assert.deepEqual(result.metadata, { secrets_redacted: true, count: 2 });
    assert.equal(items[2], `AWS_ACCESS_KEY_ID=${AWS_ID}`);
  });

  it("redacts a secret in a nested object's field, keeping its other fields, the caller's objects untouched", async () => {
    const box = { secret: `AWS_ACCESS_KEY_ID=${AWS_ID}`, derived: 'derived', label: 'safe' };
    const payload = tool({
      box,
      users: [{ name: 'Ada', key: AWS_ID }, { name: 'Lin', token: SLACK }],
    });
    const { result } = await redactor.invokeHook('tool_post_invoke', payload, ctx);
    assert.deepEqual(result.modified_payload, tool({
      box: { secret: 'AWS_ACCESS_KEY_ID=[REDACTED]', derived: 'derived', label: 'safe' },
      users: [{ name: 'Ada', key: '[REDACTED]' }, { name: 'Lin', token: '[REDACTED]' }],
    }));
    assert.deepEqual(result.metadata, { secrets_redacted: true, count: 3 });
    assert.equal(box.secret, `AWS_ACCESS_KEY_ID=${AWS_ID}`);
    const reporter = await managerFor('sd-nested-report', secretsYaml('Report', 'redact: false', 'block_on_detection: false'));
    const reported = (await reporter.invokeHook('tool_post_invoke', payload, ctx)).result;
    assert.deepEqual(reported.metadata, {
      secrets_findings: [{ type: 'aws_access_key_id' }, { type: 'aws_access_key_id' }, { type: 'slack_token' }], count: 3,
    });
  });

  it('hands back no copy of a clean nested payload', async () => {
    for (const result of [['safe', 1, { nested: 'value' }], { value: 'clean', copies: 0 }, { slot: 'safe' }]) {
      const out = (await redactor.invokeHook('tool_post_invoke', tool(result), ctx)).result;
      assert.deepEqual([out.modified_payload, out.metadata], [null, {}], JSON.stringify(result));
    }
  });

  it('scans a result as it goes out: a bare string result is redacted whole, or blocked', async () => {
    // what a model's serializer makes of it, prefix and suffix joined
    const serialized = ['AKIA', 'T3ST0NLY8KEY0001'].join('');
    const redacted = (await redactor.invokeHook('tool_post_invoke', tool(serialized), ctx)).result;
    assert.deepEqual(redacted.modified_payload, tool('[REDACTED]'));
    assert.deepEqual(redacted.metadata, { secrets_redacted: true, count: 1 });
    const blocked = (await blocker.invokeHook('tool_post_invoke', tool(serialized), ctx)).result;
    assert.equal(blocked.continue_processing, false);
    assert.equal(blocked.violation?.code, 'SECRETS_DETECTED');
    const both = (await redactor.invokeHook('tool_post_invoke', tool([`AWS_ACCESS_KEY_ID=${AWS_ID}`, `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`]), ctx)).result;
    assert.deepEqual(both.modified_payload, tool(['AWS_ACCESS_KEY_ID=[REDACTED]', '[REDACTED]']));
    assert.deepEqual(both.metadata, { secrets_redacted: true, count: 2 });
  });

  it('refuses a class instance or a cyclic payload at admission, before any plugin reads it', async () => {
    class SecretBox {
      constructor(readonly value: string) {}
    }
    await assert.rejects(
      redactor.invokeHook('tool_post_invoke', tool(new SecretBox(`AWS_ACCESS_KEY_ID=${AWS_ID}`)), ctx),
      { name: 'PayloadValidationError', message: /payload\.result is not a plain object/ },
    );
    const cyclic: Record<string, unknown> = { secret: `AWS_ACCESS_KEY_ID=${AWS_ID}` };
    cyclic.self = cyclic;
    await assert.rejects(redactor.invokeHook('tool_post_invoke', tool(cyclic), ctx), { name: 'PayloadValidationError', message: /or is a cycle/ });
    const back: unknown[] = [];
    const tuple = [`AWS_ACCESS_KEY_ID=${AWS_ID}`, back];
    back.push(tuple);
    await assert.rejects(redactor.invokeHook('tool_post_invoke', tool(tuple), ctx), { name: 'PayloadValidationError', message: /or is a cycle/ });
    // the same data without the back edge goes through, redacted
    const { result } = await redactor.invokeHook('tool_post_invoke', tool({ secret: `AWS_ACCESS_KEY_ID=${AWS_ID}`, self: {} }), ctx);
    assert.deepEqual(result.modified_payload, tool({ secret: 'AWS_ACCESS_KEY_ID=[REDACTED]', self: {} }));
  });
});
