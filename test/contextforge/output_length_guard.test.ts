import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { ctx, useManagers } from './harness.js';

/** ContextForge's tests/unit/plugins/test_output_length_guard.py. */

const managerFor = useManagers();

describe('OutputLengthGuardPlugin (output_length_guard expectations)', () => {
  it('truncates to max_chars with the ellipsis inside the limit', async () => {
    const manager = await managerFor('length', `
plugins:
  - name: "Length"
    kind: "plugins.output_length_guard.output_length_guard.OutputLengthGuardPlugin"
    hooks: ["tool_post_invoke"]
    mode: "enforce"
    config: { min_chars: 0, max_chars: 10, strategy: "truncate", ellipsis: "..." }
`);
    const { result } = await manager.invokeHook('tool_post_invoke', { name: 't', result: 'abcdefghijklmnop' }, ctx);
    assert.deepEqual(result.modified_payload, { name: 't', result: 'abcdefg...' });
    const short = await manager.invokeHook('tool_post_invoke', { name: 't', result: 'abcdefghij' }, ctx);
    assert.equal(short.result.modified_payload ?? null, null);
  });

  it('blocks over max_chars with reason "Output length out of bounds" and code OUTPUT_LENGTH_VIOLATION', async () => {
    const manager = await managerFor('length-block', `
plugins:
  - name: "LengthBlock"
    kind: "plugins.output_length_guard.output_length_guard.OutputLengthGuardPlugin"
    hooks: ["tool_post_invoke"]
    mode: "enforce"
    config: { max_chars: 5, strategy: "block" }
`);
    const { result } = await manager.invokeHook('tool_post_invoke', { name: 't', result: 'too long here' }, ctx);
    assert.equal(result.continue_processing, false);
    assert.deepEqual([result.violation?.reason, result.violation?.code], ['Output length out of bounds', 'OUTPUT_LENGTH_VIOLATION']);
  });
});

describe('OutputLengthGuardPlugin: tokens, word boundaries, minimum, numbers (test_output_length_guard.py expectations)', () => {
  const LENGTH_KIND = 'plugins.output_length_guard.output_length_guard.OutputLengthGuardPlugin';
  const guard = (name: string, config: string) => managerFor(name, `
plugins:
  - name: "${name}"
    kind: "${LENGTH_KIND}"
    hooks: ["tool_post_invoke"]
    mode: "enforce"
    config: ${config}
`);
  const post = async (manager: PluginManager, result: unknown) => (await manager.invokeHook('tool_post_invoke', { name: 'echo', result }, ctx)).result;

  it('word_boundary cuts after the last space or punctuation in the final fifth, else mid-word; off, it cuts at the limit', async () => {
    const wb = await guard('len-wb', '{ min_chars: 0, max_chars: 20, strategy: "truncate", ellipsis: "…", word_boundary: true }');
    assert.deepEqual((await post(wb, 'Pack my box with five dozen jugs')).modified_payload, { name: 'echo', result: 'Pack my box with …' });
    assert.deepEqual((await post(wb, 'Nine, ten! Eleven; twelve')).modified_payload, { name: 'echo', result: 'Nine, ten! Eleven; …' });
    assert.deepEqual((await post(wb, 'Pneumonoultramicroscopic')).modified_payload, { name: 'echo', result: 'Pneumonoultramicros…' });
    assert.equal((await post(wb, 'Brief words')).modified_payload ?? null, null);
    const hard = await guard('len-hard', '{ min_chars: 0, max_chars: 20, strategy: "truncate", ellipsis: "…", word_boundary: false }');
    assert.deepEqual((await post(hard, 'Pack my box with five dozen jugs')).modified_payload, { name: 'echo', result: 'Pack my box with fi…' });
    const list = await guard('len-wb-list', '{ min_chars: 0, max_chars: 15, strategy: "truncate", ellipsis: "…", word_boundary: true }');
    assert.deepEqual((await post(list, ['Sphinx of black quartz', 'judge my vow now please', 'Tiny'])).modified_payload,
      { name: 'echo', result: ['Sphinx of blac…', 'judge my vow …', 'Tiny'] });
  });

  it('limit_mode token: the budget is max_tokens x chars_per_token characters, then the ellipsis; max_chars is not read', async () => {
    const tokens = await guard('len-tok', '{ limit_mode: "token", max_chars: 50, max_tokens: 100, chars_per_token: 4, strategy: "truncate" }');
    const cut = (await post(tokens, ['q'.repeat(500), 'r'.repeat(500)])).modified_payload as { result: string[] };
    assert.deepEqual(cut.result, [`${'q'.repeat(400)}…`, `${'r'.repeat(400)}…`]);
    // 403 characters estimate at 100 tokens: within the budget, though past max_chars
    assert.equal((await post(tokens, 's'.repeat(403))).modified_payload ?? null, null);
    const chars = await guard('len-chr', '{ limit_mode: "character", max_chars: 100, max_tokens: 50, strategy: "truncate" }');
    assert.equal(((await post(chars, 'q'.repeat(500))).modified_payload as { result: string }).result.length, 100);
    // case and spaces as ContextForge normalizes them; an MCP result's text items, one by one
    const small = await guard('len-tok-mcp', '{ limit_mode: " Token ", max_tokens: 5, chars_per_token: 4, max_chars: null, min_chars: 0, strategy: "truncate", ellipsis: "..." }');
    assert.deepEqual((await post(small, { content: [{ type: 'text', text: 'c'.repeat(40) }, { type: 'text', text: 'ok' }] })).modified_payload,
      { name: 'echo', result: { content: [{ type: 'text', text: `${'c'.repeat(20)}...` }, { type: 'text', text: 'ok' }] } });
  });

  it('blocks over max_tokens with OUTPUT_TOKEN_VIOLATION and its wording, HTTP 422', async () => {
    const manager = await guard('len-tok-block', '{ limit_mode: "token", max_chars: 50, max_tokens: 50, chars_per_token: 4, strategy: "block" }');
    const result = await post(manager, 'z'.repeat(500));
    assert.equal(result.continue_processing, false);
    assert.deepEqual(
      [result.violation?.reason, result.violation?.description, result.violation?.code, result.violation?.http_status_code],
      ['Output estimated token count out of bounds', 'Estimated token count 125 exceeds max_tokens 50', 'OUTPUT_TOKEN_VIOLATION', 422],
    );
    assert.deepEqual(result.violation?.details, { token_count: 125, max_tokens: 50, chars_per_token: 4, strategy: 'block' });
  });

  it('min_chars: blocks a result under it with "Output length below minimum"; in truncate mode lets it through', async () => {
    const block = await guard('len-min', '{ min_chars: 10, max_chars: 100, strategy: "block" }');
    const short = await post(block, { content: [{ type: 'text', text: 'tiny' }] });
    assert.equal(short.continue_processing, false);
    assert.deepEqual([short.violation?.reason, short.violation?.description, short.violation?.code],
      ['Output length below minimum', 'Result length 4 (tokens 1) below minimum', 'OUTPUT_LENGTH_VIOLATION']);
    assert.equal((await post(block, 'long enough text')).continue_processing, true);
    const truncate = await guard('len-min-trunc', '{ min_chars: 10, max_chars: 100, strategy: "truncate" }');
    const let_ = await post(truncate, 'tiny');
    assert.equal(let_.continue_processing, true);
    assert.equal(let_.modified_payload ?? null, null);
  });

  it('blocks a list or nested result holding one long string; numbers written as strings are never limited', async () => {
    const manager = await guard('len-list', '{ min_chars: 0, max_chars: 10, strategy: "block", ellipsis: "..." }');
    assert.equal((await post(manager, ['brief', 'ok', 'fine'])).violation ?? null, null);
    const list = await post(manager, ['brief', 'this_string_runs_far_past_ten', 'ok']);
    assert.deepEqual([list.continue_processing, list.violation?.code], [false, 'OUTPUT_LENGTH_VIOLATION']);
    const nested = await post(manager, { content: [{ type: 'text', text: 'x' }], structuredContent: { result: ['ok', 'this_string_runs_far_past_ten'] } });
    assert.deepEqual([nested.continue_processing, nested.violation?.code], [false, 'OUTPUT_LENGTH_VIOLATION']);
    const numbers = await post(manager, ['987654321098765', '3.14159265358979', '6.0221409e+23', '-1_000_000_000']);
    assert.equal(numbers.continue_processing, true);
    assert.equal(numbers.violation ?? null, null);
  });

  it('an ellipsis too long for max_chars: a hard cut without it; max_chars 0 or absent: no maximum', async () => {
    const tight = await guard('len-tight', '{ max_chars: 3, ellipsis: "...", strategy: "truncate" }');
    assert.deepEqual((await post(tight, 'abcdef')).modified_payload, { name: 'echo', result: 'abc' });
    const off = await guard('len-off', '{ max_chars: 0, strategy: "block" }');
    assert.equal((await post(off, 'w'.repeat(20_000))).continue_processing, true);
    const absent = await guard('len-absent', '{ strategy: "block" }');
    assert.equal((await post(absent, 'w'.repeat(20_000))).continue_processing, true);
  });
});

describe('OutputLengthGuardPlugin: an MCP result with structured content (output_length_guard.py, structured.py)', () => {
  const guard = (name: string, config: string) => managerFor(name, `
plugins:
  - name: "${name}"
    kind: "plugins.output_length_guard.output_length_guard.OutputLengthGuardPlugin"
    hooks: ["tool_post_invoke"]
    config: ${config}
`);
  const post = async (manager: PluginManager, result: unknown) => (await manager.invokeHook('tool_post_invoke', { name: 'report', result }, ctx)).result;
  const untouched = { type: 'text', text: 'the original rendering, far longer than ten characters' };

  it('limits only the strings of structuredContent, numbers written as strings skipped, and rewrites content from it', async () => {
    const manager = await guard('len-structured', '{ max_chars: 10, ellipsis: "...", strategy: "truncate" }');
    const { modified_payload, metadata } = await post(manager, {
      content: [untouched],
      structuredContent: { items: ['Quarterly revenue grew', '12345678901234', 'ok', 7] },
      isError: false,
    });
    assert.deepEqual(modified_payload, {
      name: 'report',
      result: {
        // a one-key object is written as its value, a list as compact JSON
        content: [{ type: 'text', text: '["Quarter...","12345678901234","ok",7]' }],
        structuredContent: { items: ['Quarter...', '12345678901234', 'ok', 7] },
        isError: false,
      },
    });
    assert.deepEqual(metadata, { mcp_result_processed: true, items_modified: true, structured_content_processed: true, min_tokens: 0, max_tokens: null, chars_per_token: 4 });
    // a structure that holds nothing too long leaves the result alone, long content included
    const fine = await post(manager, { content: [untouched], structuredContent: { n: 'short', m: 'fine' } });
    assert.equal(fine.modified_payload ?? null, null);
    assert.deepEqual(fine.metadata, { mcp_result_processed: true, items_modified: false, structured_content_processed: false });
  });

  it('writes the text as ContextForge does: single-key objects unwrapped down to a string, other objects as compact JSON', async () => {
    const manager = await guard('len-structured-text', '{ max_chars: 12, ellipsis: "~", strategy: "truncate" }');
    const nested = await post(manager, { content: [], structured_content: { report: { summary: 'an overlong summary line' } } });
    assert.deepEqual(nested.modified_payload, {
      name: 'report',
      result: { content: [{ type: 'text', text: 'an overlong~' }], structured_content: { report: { summary: 'an overlong~' } } },
    });
    const wide = await post(manager, { content: [untouched], structuredContent: { city: 'Zürich café district', pop: 421878, ok: true, none: null } });
    assert.deepEqual((wide.modified_payload as { result: { content: unknown } }).result.content,
      [{ type: 'text', text: '{"city":"Zürich café~","pop":421878,"ok":true,"none":null}' }]);
    // a null structuredContent is no structured content: content's text is limited as before
    const plain = await post(manager, { content: [{ type: 'text', text: 'an overlong summary line' }], structuredContent: null });
    assert.deepEqual((plain.modified_payload as { result: { content: unknown } }).result.content, [{ type: 'text', text: 'an overlong~' }]);
  });

  it('blocks on the first string out of bounds, naming where it is, with structured_content_blocked metadata', async () => {
    const manager = await guard('len-structured-block', '{ max_chars: 10, strategy: "block" }');
    const { continue_processing, violation, metadata } = await post(manager, {
      content: [untouched],
      structuredContent: { rows: [{ name: 'ok', id: '123456789012345' }, { name: 'a very long name' }, { name: 'another long one' }] },
    });
    assert.equal(continue_processing, false);
    assert.deepEqual(violation, {
      reason: 'String length out of bounds at rows[1].name',
      description: 'String length 16 exceeds max_chars 10 at rows[1].name',
      code: 'OUTPUT_LENGTH_VIOLATION',
      details: { length: 16, max_chars: 10, strategy: 'block', location: 'rows[1].name' },
      http_status_code: 422,
      mcp_error_code: -32000,
      plugin_name: 'len-structured-block',
    });
    assert.deepEqual(metadata, { structured_content_blocked: true, location: 'structuredContent', min_tokens: 0, max_tokens: null, chars_per_token: 4 });
    const tokens = await guard('len-structured-tokens', '{ limit_mode: "token", max_tokens: 2, min_tokens: 1, strategy: "block" }');
    const short = await post(tokens, { content: [], structuredContent: 'hi' });
    assert.deepEqual([short.violation?.reason, short.violation?.description, short.violation?.details], [
      'String length/tokens below minimum', 'String length 2 or tokens 0 below minimum',
      { length: 2, min_chars: 0, token_count: 0, min_tokens: 1, location: 'root' },
    ]);
    const long = await post(tokens, { content: [], structured_content: ['fine', 'twelve chars'] });
    assert.deepEqual([long.violation?.reason, long.violation?.code, long.violation?.details], [
      'Estimated token count out of bounds at [1]', 'OUTPUT_TOKEN_VIOLATION',
      { token_count: 3, max_tokens: 2, chars_per_token: 4, strategy: 'block', location: '[1]' },
    ]);
    assert.equal(long.metadata.location, 'structured_content');
  });
});
