import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import schemaGuard from '../../plugins/schema_guard.js';
import type { SchemaGuardConfig } from '../../plugins/schemas.js';
import { assertIssueAt, configErrors, parseConfig } from './helpers.js';

const build = (config: unknown) => schemaGuard(parseConfig<SchemaGuardConfig>('schema_guard', config));

const SEND_EMAIL = {
  type: 'object',
  required: ['to', 'subject'],
  additionalProperties: false,
  properties: {
    to: { type: 'string', minLength: 3, maxLength: 254 },
    subject: { type: 'string', maxLength: 10 },
    priority: { enum: ['low', 'normal', 'high'] },
    retries: { type: 'integer', minimum: 0, maximum: 3 },
    cc: { type: 'array', items: { type: 'string' } },
    meta: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
  },
};
const plugin = build({
  arg_schemas: { send_email: SEND_EMAIL },
  result_schemas: { send_email: { type: 'object', required: ['message_id'] } },
});

const block = (tool: string, errors: string[]) => ({
  continue_processing: false,
  violation: {
    reason: 'Schema validation failed',
    description: `${tool}: ${errors[0]}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
    code: 'SCHEMA_VIOLATION',
    details: { tool, errors },
  },
});

describe('schema_guard', () => {
  it('passes args that fit the schema', () => {
    const args = { to: 'a@example.com', subject: 'Hi', priority: 'high', retries: 3, cc: ['b@example.com'], meta: { k: 'v', n: null } };
    assert.equal(plugin.tool_pre_invoke({ name: 'send_email', args }), undefined);
  });

  it('reports every problem with its path', () => {
    const args = { to: 'ab', subject: 'A long subject', priority: 'urgent', retries: 1.5, cc: ['ok', 7], meta: { k: 1 }, bcc: 'x' };
    assert.deepEqual(plugin.tool_pre_invoke({ name: 'send_email', args }), block('send_email', [
      'args.to: must be at least 3 characters',
      'args.subject: must be at most 10 characters',
      'args.priority: must be one of ["low","normal","high"]',
      'args.retries: must be integer, got number',
      'args.cc[1]: must be string, got integer',
      'args.meta.k: must be string or null, got integer',
      'args.bcc: is not allowed (additionalProperties is false)',
    ]));
  });

  it('reports missing required properties and numbers out of range, up to max_errors', () => {
    const capped = build({ arg_schemas: { send_email: SEND_EMAIL }, max_errors: 2 });
    assert.deepEqual(capped.tool_pre_invoke({ name: 'send_email', args: { retries: -1 } }), block('send_email', [
      'args: missing required property to',
      'args: missing required property subject',
    ]));
    const all = build({ arg_schemas: { send_email: SEND_EMAIL }, max_errors: null });
    assert.deepEqual(all.tool_pre_invoke({ name: 'send_email', args: { retries: -1 } }), block('send_email', [
      'args: missing required property to',
      'args: missing required property subject',
      'args.retries: must be >= 0',
    ]));
    assert.deepEqual(plugin.tool_pre_invoke({ name: 'send_email', args: { to: 'a@b.c', subject: 's', retries: 4 } }),
      block('send_email', ['args.retries: must be <= 3']));
  });

  it('validates results, and tools without a schema only when asked to', () => {
    assert.deepEqual(plugin.tool_post_invoke({ name: 'send_email', result: { status: 'queued' } }),
      block('send_email', ['result: missing required property message_id']));
    assert.equal(plugin.tool_post_invoke({ name: 'send_email', result: { message_id: 'm1' } }), undefined);
    assert.equal(plugin.tool_pre_invoke({ name: 'other', args: {} }), undefined);
    const strict = build({ arg_schemas: {}, block_unknown_tools: true });
    assert.deepEqual(strict.tool_pre_invoke({ name: 'other', args: {} }), block('other', ['no argument schema is configured for tool other']));
  });

  it('counts string length in characters, not UTF-16 units', () => {
    const emoji = build({ arg_schemas: { t: { properties: { s: { maxLength: 2 } } } } });
    assert.equal(emoji.tool_pre_invoke({ name: 't', args: { s: '😀😀' } }), undefined);
  });

  it('rejects keywords outside the subset and malformed schemas, naming the field', () => {
    assertIssueAt(configErrors('schema_guard', { arg_schemas: { t: { type: 'object', pattern: '^a' } } }), 'arg_schemas.t', /pattern/);
    assertIssueAt(configErrors('schema_guard', { arg_schemas: { t: { properties: { a: { type: 'text' } } } } }), 'arg_schemas.t.properties.a.type');
    assertIssueAt(configErrors('schema_guard', { result_schemas: { t: { items: { minLength: -1 } } } }), 'result_schemas.t.items.minLength');
    assertIssueAt(configErrors('schema_guard', { max_errors: 0 }), 'max_errors');
  });
});
