import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ctx, useManagers } from './harness.js';

/** ContextForge's tests/unit/mcpgateway/plugins/plugins/schema_guard/test_schema_guard.py. */

const managerFor = useManagers();

describe('SchemaGuardPlugin (test_schema_guard.py expectations)', () => {
  it('passes valid arguments and results, blocks invalid ones with its codes', async () => {
    const manager = await managerFor('schema', `
plugins:
  - name: "sg"
    kind: "plugins.schema_guard.schema_guard.SchemaGuardPlugin"
    hooks: ["tool_pre_invoke", "tool_post_invoke"]
    config:
      arg_schemas:
        add:
          type: object
          required: [x, y]
          properties: { x: { type: integer }, y: { type: integer } }
      result_schemas:
        add: { type: object, required: [sum], properties: { sum: { type: number } } }
      block_on_violation: true
`);
    assert.equal((await manager.invokeHook('tool_pre_invoke', { name: 'add', args: { x: 4, y: 5 } }, ctx)).result.violation ?? null, null);
    const bad = (await manager.invokeHook('tool_pre_invoke', { name: 'add', args: { x: 4 } }, ctx)).result;
    assert.equal(bad.continue_processing, false);
    assert.deepEqual([bad.violation?.reason, bad.violation?.code], ['Schema validation failed', 'SCHEMA_GUARD_ARGS']);
    assert.equal((await manager.invokeHook('tool_post_invoke', { name: 'add', result: { sum: 9 } }, ctx)).result.violation ?? null, null);
    const badResult = (await manager.invokeHook('tool_post_invoke', { name: 'add', result: {} }, ctx)).result;
    assert.deepEqual([badResult.violation?.reason, badResult.violation?.code], ['Schema validation failed', 'SCHEMA_GUARD_RESULT']);
    assert.deepEqual([bad.violation?.description, badResult.violation?.description], ['Arguments do not conform to schema', 'Result does not conform to schema']);
    assert.deepEqual(bad.violation?.details, { errors: ['Missing required property: y'] });
    const mistyped = (await manager.invokeHook('tool_pre_invoke', { name: 'add', args: { x: 'four', y: 1.5 } }, ctx)).result;
    assert.deepEqual(mistyped.violation?.details, { errors: ['x: Type mismatch: expected integer', 'y: Type mismatch: expected integer'] });
    const notObject = (await manager.invokeHook('tool_post_invoke', { name: 'add', result: [9] }, ctx)).result;
    assert.deepEqual(notObject.violation?.details, { errors: ['Type mismatch: expected object'] });
  });

  it('with block_on_violation: false lets the call through and reports the errors; reads only the keywords ContextForge reads', async () => {
    const manager = await managerFor('schema-report', `
plugins:
  - name: "sgReport"
    kind: "plugins.schema_guard.schema_guard.SchemaGuardPlugin"
    hooks: ["tool_pre_invoke"]
    config:
      arg_schemas:
        send:
          type: object
          required: [to]
          additionalProperties: false
          properties:
            to: { type: string, format: email, minLength: 5 }
            tags: { type: array, items: { type: string, enum: [a, b] } }
      block_on_violation: false
`);
    const missing = (await manager.invokeHook('tool_pre_invoke', { name: 'send', args: { tags: ['a', 7] } }, ctx)).result;
    assert.equal(missing.continue_processing, true);
    assert.equal(missing.violation ?? null, null);
    assert.deepEqual(missing.metadata.schema_errors, ['Missing required property: to', 'tags: [1]: Type mismatch: expected string']);
    // format, minLength, enum and additionalProperties are not ContextForge's: they hold nothing back
    const loose = (await manager.invokeHook('tool_pre_invoke', { name: 'send', args: { to: 'x', tags: ['z'], extra: 1 } }, ctx)).result;
    assert.equal(loose.continue_processing, true);
    assert.deepEqual(loose.metadata.schema_errors, []);
  });

  it('lists every error it finds, however many', async () => {
    const manager = await managerFor('schema-all', `
plugins:
  - name: "sgAll"
    kind: "plugins.schema_guard.schema_guard.SchemaGuardPlugin"
    hooks: ["tool_pre_invoke"]
    config:
      arg_schemas:
        batch: { type: object, required: [rows], properties: { rows: { type: array, items: { type: integer } } } }
`);
    const rows = Array.from({ length: 25 }, (_, i) => `r${i}`);
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'batch', args: { rows } }, ctx);
    assert.equal(result.continue_processing, false);
    assert.deepEqual(result.violation?.details, { errors: rows.map((_, i) => `rows: [${i}]: Type mismatch: expected integer`) });
  });
});
