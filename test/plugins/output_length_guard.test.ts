import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import outputLengthGuard from '../../plugins/output_length_guard.js';
import type { OutputLengthGuardConfig } from '../../plugins/schemas.js';
import { assertIssueAt, configErrors, parseConfig } from './helpers.js';

const build = (config: unknown = {}) => outputLengthGuard(parseConfig<OutputLengthGuardConfig>('output_length_guard', config));

describe('output_length_guard', () => {
  it('truncates each long text of an MCP tool result, ending in the ellipsis', () => {
    const result = build({ max_chars: 10 }).tool_post_invoke({
      name: 'read_file',
      result: { content: [{ type: 'text', text: 'abcdefghijklmnop' }, { type: 'text', text: 'short' }], isError: false },
    });
    assert.deepEqual(result, {
      modified_payload: {
        name: 'read_file',
        result: { content: [{ type: 'text', text: 'abcdefghi…' }, { type: 'text', text: 'short' }], isError: false },
      },
      metadata: { strings_over_limit: 1, longest_string: 16, max_chars: 10 },
    });
  });

  it("leaves an image's, an audio clip's and a blob's base64 whole: it limits text, and a cut image is no image", () => {
    const png = 'iVBORw0KGgo'.repeat(40);
    const result = {
      content: [
        { type: 'image', data: png, mimeType: 'image/png' },
        { type: 'audio', data: png, mimeType: 'audio/wav' },
        { type: 'resource', resource: { uri: 'file:///a', blob: png } },
        { type: 'text', text: 'a caption far longer than ten characters' },
      ],
    };
    const cut = build({ max_chars: 10 }).tool_post_invoke({ name: 'render', result });
    const content = (cut?.modified_payload?.result as typeof result).content;
    assert.deepEqual(content.slice(0, 3), result.content.slice(0, 3));
    assert.equal((content[3] as { text: string }).text, 'a caption…');
    // a text item named data is text all the same
    assert.equal(build({ max_chars: 10 }).tool_post_invoke({ name: 't', result: { data: 'twenty-two characters!' } })?.metadata?.strings_over_limit, 1);
    const structured = { content: result.content.slice(0, 1), structuredContent: { picture: { type: 'image', data: png }, title: 'short' } };
    assert.equal(build({ max_chars: 10, strategy: 'block', structured_content: true }).tool_post_invoke({ name: 'render', result: structured })?.violation ?? null, null);
  });

  it('truncates a plain string result, counting an emoji as one character and never splitting it', () => {
    const result = build({ max_chars: 6, ellipsis: '...' }).tool_post_invoke({ name: 't', result: 'ab😀cdefgh' });
    assert.deepEqual(result?.modified_payload, { name: 't', result: 'ab😀...' });
    // six characters, though seven UTF-16 units: within the limit
    assert.equal(build({ max_chars: 6 }).tool_post_invoke({ name: 't', result: 'ab😀cde' }), undefined);
    // three characters, though four units: under a minimum of four
    assert.equal(build({ min_chars: 4, strategy: 'block' }).tool_post_invoke({ name: 't', result: 'ab😀' })?.violation?.code, 'OUTPUT_TOO_SHORT');
  });

  it('blocks instead when configured, on prompt results too', () => {
    const result = build({ max_chars: 20, strategy: 'block' }).prompt_post_fetch({
      prompt_id: 'summarize',
      result: { messages: [{ role: 'assistant', content: { type: 'text', text: 'x'.repeat(25) } }] },
    });
    assert.deepEqual(result, {
      continue_processing: false,
      violation: {
        reason: 'Output too long',
        description: 'result holds 1 string(s) longer than 20 characters (longest 25)',
        code: 'OUTPUT_TOO_LONG',
        details: { strings_over_limit: 1, longest_string: 25, max_chars: 20 },
      },
      metadata: { strings_over_limit: 1, longest_string: 25, max_chars: 20 },
    });
  });

  it('passes results within the limit, the limit itself included', () => {
    assert.equal(build({ max_chars: 5 }).tool_post_invoke({ name: 't', result: { a: 'abcde', n: 123456789 } }), undefined);
  });

  it('counts estimated tokens in token mode, and blocks a string under the minimum', () => {
    const tokens = build({ limit_mode: 'token', max_tokens: 10, chars_per_token: 2, ellipsis: '…', word_boundary: true });
    assert.deepEqual(tokens.tool_post_invoke({ name: 't', result: 'alpha beta gamma delta epsilon' })?.modified_payload,
      { name: 't', result: 'alpha beta gamma …' });
    const short = build({ min_chars: 4, strategy: 'block' }).tool_post_invoke({ name: 't', result: ['ok', 'fine'] });
    assert.deepEqual(short?.violation, {
      reason: 'Output too short', description: 'result holds 1 string(s) shorter than 4 characters', code: 'OUTPUT_TOO_SHORT',
      details: { strings_under_min: 1, min_chars: 4 },
    });
    // a number written as a string is limited unless skip_numeric
    assert.equal(build({ max_chars: 3, ellipsis: '' }).tool_post_invoke({ name: 't', result: '12345' })?.modified_payload?.result, '123');
    assert.equal(build({ max_chars: 3, ellipsis: '', skip_numeric: true }).tool_post_invoke({ name: 't', result: '12345' }), undefined);
  });

  it('rejects a bad config naming the field', () => {
    assertIssueAt(configErrors('output_length_guard', { max_chars: 0 }), 'max_chars');
    assertIssueAt(configErrors('output_length_guard', { max_chars: 2.5 }), 'max_chars');
    assertIssueAt(configErrors('output_length_guard', { strategy: 'summarize' }), 'strategy');
    assertIssueAt(configErrors('output_length_guard', { max_chars: 3, ellipsis: '...' }), 'ellipsis', /shorter than max_chars/);
    assertIssueAt(configErrors('output_length_guard', { max_chars: 10, min_chars: 11 }), 'min_chars', /must not exceed max_chars/);
    assertIssueAt(configErrors('output_length_guard', { limit_mode: 'token', max_tokens: 2, min_tokens: 3 }), 'min_tokens');
    assertIssueAt(configErrors('output_length_guard', { chars_per_token: 11 }), 'chars_per_token');
  });
});
