import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { useManagers } from './harness.js';
import { guardsYaml, passed, post } from './output_length_guard-guards.js';

/**
 * ContextForge's tests/unit/plugins/test_output_length_guard.py, its expectations on each shape of tool result:
 * plain strings, a dict's text, MCP content, lists, and an MCP result's structured content.
 */

const managerFor = useManagers();
const a = (n: number) => 'a'.repeat(n);
const PLACEHOLDER = [{ type: 'text', text: 'placeholder rendering' }];

describe('OutputLengthGuardPlugin: result shapes (test_output_length_guard.py expectations)', () => {
  let manager: PluginManager;
  before(async () => {
    manager = await managerFor('len-shapes', guardsYaml({
      Tokens5: '{ max_chars: 10, strategy: "truncate", limit_mode: "token", max_tokens: 5, chars_per_token: 4, min_chars: 0, ellipsis: "..." }',
      Tokens5Block: '{ max_chars: null, strategy: "block", limit_mode: "token", max_tokens: 5, chars_per_token: 4 }',
      Tokens100: '{ max_chars: 5, strategy: "truncate", limit_mode: "token", max_tokens: 100, chars_per_token: 4 }',
      Chars: '{ limit_mode: "character", max_chars: 100, max_tokens: 50, strategy: "truncate" }',
      Tokens: '{ limit_mode: "token", max_chars: 50, max_tokens: 100, chars_per_token: 4, strategy: "truncate" }',
      CharsBlock: '{ limit_mode: "character", max_chars: 100, max_tokens: 50, strategy: "block" }',
      TokensBlock: '{ limit_mode: "token", max_chars: 50, max_tokens: 50, chars_per_token: 4, strategy: "block" }',
      OnlyTokens: '{ min_chars: 0, max_chars: null, min_tokens: 0, max_tokens: 5, chars_per_token: 4, strategy: "truncate" }',
      OnlyTokens3: '{ max_tokens: 3, chars_per_token: 4, ellipsis: "..." }',
      Hybrid: '{ max_chars: 20, max_tokens: 3, chars_per_token: 4, ellipsis: "..." }',
      Ten: '{ max_chars: 10, strategy: "truncate", ellipsis: "..." }',
    }));
  });

  it('limits a plain string, a dict\'s text, MCP content text items and a list of strings, in token mode as in character mode', async () => {
    assert.equal(await passed(manager, 'Tokens5', a(40)), `${a(20)}...`);
    assert.deepEqual(await passed(manager, 'Tokens5', { text: 'b'.repeat(40) }), { text: `${'b'.repeat(20)}...` });
    assert.deepEqual(await passed(manager, 'Tokens5', { content: [{ type: 'text', text: 'c'.repeat(40) }] }),
      { content: [{ type: 'text', text: `${'c'.repeat(20)}...` }] });
    assert.deepEqual(await passed(manager, 'Tokens5', ['d'.repeat(40), 'short']), [`${'d'.repeat(20)}...`, 'short']);
    // within the budget: nothing rewritten, max_chars not read in token mode
    assert.equal((await post(manager, 'Tokens5', 'Hello')).modified_payload, null);
    assert.equal((await post(manager, 'Tokens100', a(20))).modified_payload, null);
    assert.equal(await passed(manager, 'Chars', a(500)), `${a(99)}…`);
    assert.deepEqual(await passed(manager, 'Chars', [a(500), 'b'.repeat(500)]), [`${a(99)}…`, `${'b'.repeat(99)}…`]);
    assert.equal(await passed(manager, 'Tokens', a(500)), `${a(400)}…`);
    assert.deepEqual(await passed(manager, 'Tokens', [a(500), 'b'.repeat(500)]), [`${a(400)}…`, `${'b'.repeat(400)}…`]);
  });

  it('blocks a string over the limit with OUTPUT_LENGTH_VIOLATION in character mode, OUTPUT_TOKEN_VIOLATION in token mode', async () => {
    for (const [guard, code] of [['CharsBlock', 'OUTPUT_LENGTH_VIOLATION'], ['TokensBlock', 'OUTPUT_TOKEN_VIOLATION'], ['Tokens5Block', 'OUTPUT_TOKEN_VIOLATION']]) {
      const result = await post(manager, guard!, 'e'.repeat(500));
      assert.deepEqual([result.continue_processing, result.violation?.code], [false, code], guard);
    }
  });

  it('in character mode max_tokens alone limits nothing, in content, lists or structured content', async () => {
    const long = 'Hello world! This is a very long test string.';
    assert.equal((await post(manager, 'OnlyTokens', { content: [{ type: 'text', text: long }] })).modified_payload, null);
    assert.equal((await post(manager, 'OnlyTokens', { structuredContent: { items: [long, 'Another string.'] }, content: PLACEHOLDER })).modified_payload, null);
    for (const data of [[long, 'Another long string here.'], { key1: long, key2: 'Another long string here.' }, { list: [long], dict: { nested: 'Long nested string here.' } }]) {
      assert.equal((await post(manager, 'OnlyTokens3', { content: PLACEHOLDER, structuredContent: data })).modified_payload, null);
    }
    // with max_chars too, character mode cuts at max_chars
    assert.deepEqual(await passed(manager, 'Hybrid', { content: PLACEHOLDER, structuredContent: ['Hello world! This is a test.'] }),
      { content: [{ type: 'text', text: '["Hello world! This..."]' }], structuredContent: ['Hello world! This...'] });
  });

  it('MCP content with no structured content, or a null one: each text item is cut', async () => {
    assert.deepEqual(await passed(manager, 'Ten', { content: [{ type: 'text', text: 'this is a very long text' }] }),
      { content: [{ type: 'text', text: 'this is...' }] });
    assert.deepEqual(await passed(manager, 'Ten', { content: [{ type: 'text', text: 'qwertyuiop asdfghjkl zxcvbnm' }], isError: false, structuredContent: null }),
      { content: [{ type: 'text', text: 'qwertyu...' }], isError: false, structuredContent: null });
  });
});

describe('OutputLengthGuardPlugin: structured content (test_output_length_guard.py expectations)', () => {
  let manager: PluginManager;
  before(async () => {
    manager = await managerFor('len-structured-data', guardsYaml({
      One: '{ max_chars: 1, ellipsis: "..." }',
      Three: '{ max_chars: 3, ellipsis: "..." }',
      Five: '{ max_chars: 5, ellipsis: "..." }',
      Ten: '{ max_chars: 10, ellipsis: "..." }',
      Hundred: '{ max_chars: 100, max_tokens: 10, chars_per_token: 4, ellipsis: "..." }',
      Chars150: '{ max_chars: 150, max_tokens: 200, chars_per_token: 4, limit_mode: "character", ellipsis: "..." }',
      Chars200: '{ max_chars: 200, max_tokens: 100, chars_per_token: 4, limit_mode: "character", ellipsis: "..." }',
      Chars2500: '{ max_chars: 2500, max_tokens: 2500, chars_per_token: 4, limit_mode: "character", ellipsis: "..." }',
      Tokens100: '{ max_chars: 100, max_tokens: 100, chars_per_token: 4, limit_mode: "token", ellipsis: "..." }',
      NoMax: '{ ellipsis: "..." }',
    }));
  });
  /** The structured content the guard hands on. */
  const structured = async (guard: string, data: unknown) =>
    ((await passed(manager, guard, { content: PLACEHOLDER, structuredContent: data })) as { structuredContent: unknown }).structuredContent;
  const untouched = async (guard: string, data: unknown) =>
    (await post(manager, guard, { content: PLACEHOLDER, structuredContent: data })).modified_payload;

  it('cuts every string too long in its lists and objects, at any depth; numbers, booleans, null and numbers written as strings are kept', async () => {
    assert.deepEqual(await structured('Five', ['hello world', 'foo bar']), ['he...', 'fo...']);
    assert.deepEqual(await structured('Five', { name: 'Dora Winters', email: 'dora@example.org' }), { name: 'Do...', email: 'do...' });
    assert.deepEqual(await structured('Five', { price: '19.95', quantity: '2500', name: 'Gadget' }), { price: '19.95', quantity: '2500', name: 'Ga...' });
    assert.deepEqual(await structured('Five', { users: [{ name: 'Eve Marlowe', age: '41' }, { name: 'Finn Osei', age: '29' }] }),
      { users: [{ name: 'Ev...', age: '41' }, { name: 'Fi...', age: '29' }] });
    assert.deepEqual(await structured('Five', { count: 321, price: 76.54, name: 'Gadget Deluxe' }), { count: 321, price: 76.54, name: 'Ga...' });
    assert.deepEqual(await structured('Ten', { valid: 'test', number: 12345, long: a(1000), nested: { key: 'value' } }),
      { valid: 'test', number: 12345, long: `${a(7)}...`, nested: { key: 'value' } });
    assert.deepEqual(await structured('Ten', ['short', a(1000), 12345, 'another']), ['short', `${a(7)}...`, 12345, 'another']);
    assert.deepEqual(await structured('Ten', { short: 'ok', long: a(100), medium: 'test text' }), { short: 'ok', long: `${a(7)}...`, medium: 'test text' });
    assert.deepEqual(await structured('Ten', [[[[['a deeper value']]]]]), [[[[['a deepe...']]]]]);
    assert.deepEqual(await structured('Ten', { 1: 'a long value one', 2: 'value2' }), { 1: 'a long ...', 2: 'value2' });
    assert.deepEqual(await structured('Chars150', { level1: { level2: { level3: a(500) } } }), { level1: { level2: { level3: `${a(147)}...` } } });
    assert.deepEqual(await structured('Chars150', [a(500), 'b'.repeat(500), 'c'.repeat(500)]), [`${a(147)}...`, `${'b'.repeat(147)}...`, `${'c'.repeat(147)}...`]);
    assert.deepEqual(await structured('Chars150', { key1: a(500), key2: 'b'.repeat(500) }), { key1: `${a(147)}...`, key2: `${'b'.repeat(147)}...` });
    assert.equal(await structured('Chars200', a(500)), `${a(197)}...`);
    assert.equal(await structured('Tokens100', a(500)), `${a(400)}...`);
    // an ellipsis that does not fit: a hard cut
    assert.deepEqual(await structured('One', { key: 'value', nested: { data: 'test' } }), { key: 'v', nested: { data: 't' } });
    // a hundred long strings, each cut
    const many = (await structured('Chars2500', Array.from({ length: 100 }, () => a(5000)))) as string[];
    assert.deepEqual([many.length, new Set(many).size, many[0]], [100, 1, `${a(2497)}...`]);
  });

  it('leaves a structure with nothing too long as it is, however it is built', async () => {
    const cases: Array<[string, unknown]> = [
      ['Ten', ['abc', 'def']],
      ['Ten', []],
      ['Ten', {}],
      ['Ten', { key: null }],
      ['Ten', { flag: true, other: false }],
      ['Ten', 12345],
      ['Ten', { a: { b: { c: { d: { e: 'value' } } } } }],
      ['Ten', [[[[['deep value']]]]]],
      ['Ten', ['sff', 'dffd']],
      ['Five', ['321', '654.87', '2e6', 'howdy']],
      ['Three', ['123.45', '6.022e23', '-42', '3.14159']],
      ['Hundred', { level1: { level2: { level3: { level4: { level5: 'value' } } } } }],
      ['Hundred', { list: [{ nested: ['value1', 'value2'] }], dict: { nested: { deep: 'value3' } } }],
      ['Hundred', [1, 'string', 3.14, null, true, { key: 'value' }]],
      ['Hundred', { 1: 'value1', 2: 'value2', 3: 'value3' }],
      ['Hundred', [1, 2, 3, 4, 5]],
      ['Hundred', Array.from({ length: 10_001 }, () => 'item')],
      ['NoMax', ['very long string here']],
    ];
    for (const [guard, data] of cases) assert.equal(await untouched(guard, data), null, `${guard} ${JSON.stringify(data).slice(0, 40)}`);
  });

  it('rewrites content from the cut structure: a string as it is, a list or object as compact JSON, one-key objects by their value', async () => {
    const text = async (data: unknown) =>
      ((await passed(manager, 'Ten', { content: PLACEHOLDER, structuredContent: data })) as { content: Array<{ text: string }> }).content;
    assert.deepEqual(await text('a string far too long'), [{ type: 'text', text: 'a strin...' }]);
    assert.deepEqual(await text(['a', 'b', 'much too long here']), [{ type: 'text', text: '["a","b","much to..."]' }]);
    assert.deepEqual(await text({ key1: 'value1', key2: 'value2 but longer' }), [{ type: 'text', text: '{"key1":"value1","key2":"value2 ..."}' }]);
    assert.deepEqual(await text({ result: ['short', 'longer text here'] }), [{ type: 'text', text: '["short","longer ..."]' }]);
    assert.deepEqual(await text({ result: { data: 'much too long here' } }), [{ type: 'text', text: 'much to...' }]);
    assert.deepEqual(await structured('Ten', { result: ['123.45', '6.022e23', 'regular text here'] }), { result: ['123.45', '6.022e23', 'regular...'] });
  });
});

describe('OutputLengthGuardPlugin: blocking (test_output_length_guard.py expectations)', () => {
  let manager: PluginManager;
  before(async () => {
    manager = await managerFor('len-blocking', guardsYaml({
      Block: '{ min_chars: 0, max_chars: 10, strategy: "block", ellipsis: "..." }',
      TokensBlock: '{ strategy: "block", max_tokens: 3, chars_per_token: 4, limit_mode: "token", ellipsis: "..." }',
      Narrow: '{ min_chars: 1, max_chars: 2, strategy: "block" }',
    }));
  });

  it('never limits a number written as a string (integer, decimal, exponent; finite, up to 50 characters); anything else is limited', async () => {
    const numbers = ['123', '1000000000000', '-456', '0', '123.45', '3.14159', '0.001', '-99.99', '1.23e-4', '5E+10', '6.022e23', '1e5', '-2.5e-3'];
    for (const text of numbers) assert.equal((await post(manager, 'Narrow', text)).violation, null, text);
    for (const text of ['Hello', 'abc123', '12.34.56', '', '1,234', 'nan', 'inf', '1'.repeat(51)]) {
      assert.equal((await post(manager, 'Narrow', text)).continue_processing, false, JSON.stringify(text));
    }
  });
  const TOO_LONG = 'this_string_is_far_too_long_to_pass';

  it('blocks a list, an object, a nested result or structured content holding one string too long; numbers as strings pass', async () => {
    for (const fine of [['short', 'ok', 'fine'], { key1: 'short', key2: 'ok', key3: 'fine' }, ['123456789012345', '1.23456789012345', '1.23e-100']]) {
      const result = await post(manager, 'Block', fine);
      assert.deepEqual([result.continue_processing, result.violation], [true, null], JSON.stringify(fine));
    }
    for (const held of [
      ['short', TOO_LONG, 'ok'],
      { key1: 'short', key2: TOO_LONG, key3: 'ok' },
      { level1: { level2: { items: ['short', 'ok', TOO_LONG] } } },
      { content: [{ type: 'text', text: 'placeholder' }], structuredContent: { result: ['short', TOO_LONG] } },
    ]) {
      const result = await post(manager, 'Block', held);
      assert.deepEqual([result.continue_processing, result.violation?.code], [false, 'OUTPUT_LENGTH_VIOLATION'], JSON.stringify(held));
    }
    const root = await post(manager, 'Block', { content: PLACEHOLDER, structuredContent: a(1000) });
    assert.deepEqual([root.violation?.reason, root.violation?.details?.location], ['String length out of bounds', 'root']);
    const tokens = await post(manager, 'TokensBlock', { content: PLACEHOLDER, structuredContent: ['Hello world! This is a test.'] });
    assert.deepEqual([tokens.continue_processing, tokens.violation?.reason, tokens.modified_payload],
      [false, 'Estimated token count out of bounds at [0]', null]);
  });
});

describe('OutputLengthGuardPlugin: security limits on structured content (output_length_guard structured.py)', () => {
  let manager: PluginManager;
  before(async () => {
    manager = await managerFor('len-security', guardsYaml({
      Secure: '{ max_chars: 100, strategy: "block", max_structure_size: 10, max_recursion_depth: 10 }',
      SecureTruncate: '{ max_chars: 100, strategy: "truncate", max_structure_size: 10, max_recursion_depth: 10 }',
    }));
  });
  const nest = (levels: number): unknown => (levels === 0 ? 'x' : { a: nest(levels - 1) });
  const block = (guard: string, data: unknown) => post(manager, guard, { content: PLACEHOLDER, structuredContent: data });

  it('in block mode, blocks a list or object of more than max_structure_size items, or anything nested past max_recursion_depth', async () => {
    const list = await block('Secure', Array.from({ length: 11 }, (_, i) => `row ${i}`));
    assert.equal(list.continue_processing, false);
    assert.deepEqual(list.violation, {
      reason: 'Structure size exceeds security limit',
      description: 'List has 11 items, exceeding limit of 10',
      code: 'STRUCTURE_SIZE_VIOLATION',
      details: { size: 11, max_size: 10, location: 'root' },
      http_status_code: 422,
      mcp_error_code: -32000,
      plugin_name: 'Secure',
    });
    const wide = await block('Secure', { rows: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, i])) });
    assert.deepEqual([wide.violation?.description, wide.violation?.details?.location], ['Dict has 12 items, exceeding limit of 10', 'rows']);
    const deep = await block('Secure', nest(11));
    assert.deepEqual([deep.violation?.code, deep.violation?.description, deep.violation?.details], [
      'STRUCTURE_DEPTH_VIOLATION', 'Nesting depth 11 exceeds limit of 10',
      { depth: 11, max_depth: 10, location: Array(11).fill('a').join('.') },
    ]);
    // at the limits, it passes
    for (const fine of [nest(10), Array.from({ length: 10 }, (_, i) => `row ${i}`)]) assert.equal((await block('Secure', fine)).violation, null);
    // in truncate mode the limits block nothing
    assert.equal((await block('SecureTruncate', nest(11))).violation, null);
    assert.equal((await block('SecureTruncate', Array.from({ length: 11 }, (_, i) => `row ${i}`))).violation, null);
  });
});
