import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PluginManager } from '../../src/bundled.js';
import { ctx, useManagers } from './harness.js';

/**
 * cpex pii-filter 0.2.1's config and masking tests (the Rust crate's config.rs, masking.rs, patterns.rs and the
 * custom-pattern and bound tests of detector.rs and test_integration.py): what a config may say, what custom patterns
 * and each mask strategy write, and what the scan's bounds refuse.
 */

const managerFor = useManagers();

const yaml = (config: Record<string, unknown>, name = 'PII') => `
plugins:
  - name: "${name}"
    kind: "cpex_pii_filter.PIIFilterPlugin"
    hooks: ["tool_pre_invoke", "tool_post_invoke"]
    config: ${JSON.stringify(config)}
`;
let n = 0;
const load = (config: Record<string, unknown>) => managerFor(`pii-config-${n++}`, yaml(config));
/** The one line a refused config fails with. */
const refusal = async (config: Record<string, unknown>): Promise<string> => {
  try {
    await load(config);
  } catch (err) {
    return (err as Error).message;
  }
  return assert.fail(`loaded ${JSON.stringify(config)}`);
};
const EMPLOYEE = { pattern: String.raw`\bEMP\d{6}\b`, description: 'Employee ID' };
const scanned = async (config: Record<string, unknown>, text: string): Promise<unknown> => {
  const { result } = await (await load(config)).invokeHook('tool_post_invoke', { name: 'hr', result: { text } }, ctx);
  return (result.modified_payload as { result?: { text?: unknown } } | null)?.result?.text ?? null;
};

describe('PIIFilterPlugin config, as ContextForge writes it', () => {
  it('refuses a whitelist pattern that does not compile, naming it', async () => {
    assert.match(await refusal({ whitelist_patterns: ['('] }), /plugins\[0\]\.config\.allow\[0\]: invalid regular expression/);
  });

  it('refuses a mask strategy it does not know, the default or a custom pattern\'s, naming the key', async () => {
    assert.match(await refusal({ default_mask_strategy: 'partail' }), /default_mask_strategy: "partail" is not one of redact, partial, hash, tokenize, remove/);
    assert.match(await refusal({ custom_patterns: [{ ...EMPLOYEE, mask_strategy: 'partail' }] }),
      /custom_patterns\[0\]\.mask_strategy: "partail" is not one of/);
  });

  it('refuses bounds of zero or over its ceilings: max_text_bytes 100 MiB, max_nested_depth 1000, max_collection_items 1000000', async () => {
    for (const [key, over] of [['max_text_bytes', 100 * 1024 * 1024 + 1], ['max_nested_depth', 1001], ['max_collection_items', 1_000_001]] as const) {
      assert.match(await refusal({ [key]: over }), new RegExp(`config\\.${key}: Too big`));
      assert.match(await refusal({ [key]: 0 }), new RegExp(`config\\.${key}: Too small`));
    }
    await load({ max_text_bytes: 100 * 1024 * 1024, max_nested_depth: 1000, max_collection_items: 1_000_000 });
  });

  it('refuses a custom pattern that is blank, over 256 characters, or has over 16 alternations or 24 quantifiers, or lacks a description', async () => {
    const words = Array.from({ length: 18 }, (_, i) => `w${i}x`).join('|');
    assert.match(await refusal({ custom_patterns: [{ ...EMPLOYEE, pattern: `(${words})` }] }), /config\.custom\[0\]\.pattern: has too many alternations \(max 16\)/);
    assert.match(await refusal({ custom_patterns: [{ ...EMPLOYEE, pattern: 'a+'.repeat(25) }] }), /has too many quantifiers \(max 24\)/);
    assert.match(await refusal({ custom_patterns: [{ ...EMPLOYEE, pattern: 'x'.repeat(257) }] }), /must be at most 256 characters/);
    assert.match(await refusal({ custom_patterns: [{ ...EMPLOYEE, pattern: '   ' }] }), /must not be blank/);
    assert.match(await refusal({ custom_patterns: [{ pattern: EMPLOYEE.pattern }] }), /config\.custom\[0\]\.description/);
  });

  it('takes escaped metacharacters in a custom pattern as literals, and reads it in any case', async () => {
    const escaped = { pattern: String.raw`foo\|bar\+\?\{baz\}`, description: 'escaped metacharacters', mask_strategy: 'redact' };
    assert.equal(await scanned({ custom_patterns: [escaped] }, 'see FOO|BAR+?{BAZ} here'), 'see [REDACTED] here');
  });

  it('masks with default_mask_strategy what a custom pattern finds when its mask_strategy is absent or null', async () => {
    for (const pattern of [EMPLOYEE, { ...EMPLOYEE, mask_strategy: null }]) {
      assert.equal(await scanned({ default_mask_strategy: 'partial', custom_patterns: [pattern] }, 'Employee ID EMP123456'), 'Employee ID E*******6');
      assert.equal(await scanned({ custom_patterns: [pattern] }, 'Employee ID EMP123456'), 'Employee ID [REDACTED]');
    }
    const customer = { pattern: String.raw`Customer [A-Z]{3}\d{3}`, description: 'Customer code' };
    assert.equal(await scanned({ detect_email: false, default_mask_strategy: 'partial', custom_patterns: [customer] }, 'Customer ABC123'), 'C*************3');
    assert.equal(await scanned({ default_mask_strategy: 'partial', custom_patterns: [{ ...customer, mask_strategy: null }] }, 'Customer ABC123'), 'C*************3');
  });

  it('keeps a custom pattern\'s own mask_strategy over the default, and blocks on it under block_on_detection', async () => {
    assert.equal(await scanned({ default_mask_strategy: 'redact', custom_patterns: [{ ...EMPLOYEE, mask_strategy: 'partial' }] }, 'Employee ID EMP123456'), 'Employee ID E*******6');
    assert.equal(await scanned({ custom_patterns: [{ ...EMPLOYEE, enabled: false }] }, 'Employee ID EMP123456'), null);
    const blocking = await load({ block_on_detection: true, custom_patterns: [{ ...EMPLOYEE, mask_strategy: 'hash' }] });
    const { result } = await blocking.invokeHook('tool_pre_invoke', { name: 'hr', args: { who: 'EMP123456' } }, ctx);
    assert.equal(result.continue_processing, false);
    assert.deepEqual(result.violation?.details, { detected_types: ['custom'], count: 1 });
  });

  it('leaves what a built-in type found to that type: a labelled BSN stays one BSN, not a custom match inside it', async () => {
    const config = { detect_ssn: false, detect_bsn: true, custom_patterns: [{ pattern: String.raw`\bBSN\b`, description: 'short', mask_strategy: 'hash' }] };
    const manager = await load(config);
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'hr', args: { who: 'BSN: 204118736' } }, ctx);
    assert.deepEqual(result.modified_payload, { name: 'hr', args: { who: '[REDACTED]' } });
    assert.deepEqual(result.metadata, { pii_found: 1, pii_types: { bsn: 1 } });
  });

  it('partial keeps a custom value\'s first and last character, accents and all', async () => {
    const names = { pattern: 'José', description: 'a name', mask_strategy: 'partial' };
    assert.equal(await scanned({ custom_patterns: [names] }, 'Contact José at jose@mail.example and Jose Alvarez'),
      'Contact J**é at [REDACTED] and Jose Alvarez');
  });

  it('hash writes [HASH:<16 hex>] (23 characters) salted per plugin: two plugins hash one value apart', async () => {
    const customer = { pattern: String.raw`Customer [A-Z]{3}\d{3}`, description: 'Customer code', mask_strategy: 'hash' };
    const config = { detect_email: false, custom_patterns: [customer] };
    const manager = await managerFor('pii-salts', `${yaml(config, 'First')}${yaml(config, 'Second').replace('plugins:\n', '')}`);
    const payload = { name: 'crm', result: { contact: 'Customer ABC123' } };
    const first = await manager.invokeHookForPlugin('First', 'tool_post_invoke', payload, ctx);
    const second = await manager.invokeHookForPlugin('Second', 'tool_post_invoke', payload, ctx);
    const [a, b] = [first, second].map((r) => (r.modified_payload?.result as { contact: string }).contact);
    assert.match(a!, /^\[HASH:[0-9a-f]{16}\]$/);
    assert.match(b!, /^\[HASH:[0-9a-f]{16}\]$/);
    assert.equal(a!.length, 23);
    assert.notEqual(a, b);
  });

  it('tokenize writes [TOKEN:<8 hex>], a new token for each occurrence', async () => {
    const manager = await load({ default_mask_strategy: 'tokenize' });
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'crm', args: { a: 'carol.ng@mail.example', b: 'carol.ng@mail.example' } }, ctx);
    const { a, b } = (result.modified_payload as unknown as { args: { a: string; b: string } }).args;
    assert.match(a, /^\[TOKEN:[0-9a-f]{8}\]$/);
    assert.match(b, /^\[TOKEN:[0-9a-f]{8}\]$/);
    assert.notEqual(a, b);
  });

  it('defaults as ContextForge does: every type on, [REDACTED], text without personal data left as it is, bounds of 32 deep and 4096 items', async () => {
    const manager = await load({});
    const text = { a: 'SSN 512-44-7391', b: 'write to carol.ng@mail.example', c: 'Passport Number: NX4417203', d: 'nothing here at all' };
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 'crm', args: text }, ctx);
    assert.deepEqual(result.modified_payload, { name: 'crm', args: { a: 'SSN [REDACTED]', b: 'write to [REDACTED]', c: '[REDACTED]', d: 'nothing here at all' } });
    const none = await manager.invokeHook('tool_pre_invoke', { name: 'crm', args: { d: text.d } }, ctx);
    assert.equal(none.result.modified_payload ?? null, null);
    // and its bounds: containers 32 deep below a field, 4096 items in one
    const nest = (depth: number): unknown => (depth === 0 ? 'x' : { down: nest(depth - 1) });
    await manager.invokeHook('tool_pre_invoke', { name: 'crm', args: nest(32) as Record<string, unknown> }, ctx);
    await assert.rejects(manager.invokeHook('tool_pre_invoke', { name: 'crm', args: nest(33) as Record<string, unknown> }, ctx), /maximum depth of 32/);
    await manager.invokeHook('tool_pre_invoke', { name: 'crm', args: { ids: Array.from({ length: 4096 }, (_, i) => i) } }, ctx);
    await assert.rejects(manager.invokeHook('tool_pre_invoke', { name: 'crm', args: { ids: Array.from({ length: 4097 }, (_, i) => i) } }, ctx),
      /Nested list exceeds maximum size of 4096 items/);
  });
});

describe('PIIFilterPlugin bounds on a scan, as ContextForge sets them', () => {
  it('fails a call with a string over max_text_bytes (UTF-8 bytes), and passes one at it', async () => {
    const manager = await load({ detect_ssn: true, max_text_bytes: 8 });
    await assert.rejects(manager.invokeHook('tool_pre_invoke', { name: 't', args: { id: '123456789' } }, ctx), /Input exceeds maximum supported size of 8 bytes/);
    await assert.rejects(manager.invokeHook('tool_pre_invoke', { name: 't', args: { id: 'ééééé' } }, ctx), /maximum supported size/);
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 't', args: { id: '12345678' } }, ctx);
    assert.equal(result.continue_processing, true);
  });

  it('fails a call with a list or a mapping of more than max_collection_items', async () => {
    const manager = await load({ detect_email: true, max_collection_items: 1 });
    await assert.rejects(manager.invokeHook('tool_pre_invoke', { name: 't', args: { to: ['a.b@mail.example', 'c.d@mail.example'] } }, ctx),
      /Nested list exceeds maximum size of 1 items/);
    await assert.rejects(manager.invokeHook('tool_pre_invoke', { name: 't', args: { to: 'a.b@mail.example', cc: 'c.d@mail.example' } }, ctx),
      /Nested mapping exceeds maximum size of 1 items/);
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 't', args: { to: ['a.b@mail.example'] } }, ctx);
    assert.deepEqual(result.modified_payload, { name: 't', args: { to: ['[REDACTED]'] } });
  });

  it('scans texts past 256 KiB by default, and refuses one over its default 10 MiB', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-cf-pii-big-'));
    const path = join(dir, 'pii.yaml');
    // the runtime's own payload limit raised past the plugin's, so that the plugin's is the one met
    await writeFile(path, `${yaml({ detect_ssn: true, detect_bsn: false, detect_credit_card: false, detect_email: false, detect_phone: false, detect_ip_address: false, detect_date_of_birth: false, detect_passport: false, detect_driver_license: false, detect_bank_account: false, detect_medical_record: false })}plugin_settings:\n  max_payload_bytes: 12000000\n`);
    const manager = new PluginManager(path);
    try {
      await manager.initialize();
      const big = `${'x'.repeat(300 * 1024)} SSN: 512-44-7391`;
      const { result } = await manager.invokeHook('tool_pre_invoke', { name: 't', args: { big } }, ctx);
      assert.equal((result.modified_payload as { args: { big: string } } | null)?.args.big, `${'x'.repeat(300 * 1024)} SSN: [REDACTED]`);
      await assert.rejects(manager.invokeHook('tool_pre_invoke', { name: 't', args: { huge: 'x'.repeat(10 * 1024 * 1024 + 1) } }, ctx),
        /Input exceeds maximum supported size of 10485760 bytes/);
    } finally {
      await manager.shutdown();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
