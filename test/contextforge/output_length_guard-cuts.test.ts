import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { useManagers } from './harness.js';
import { guardsYaml, passed, post } from './output_length_guard-guards.js';

/**
 * ContextForge's tests/unit/plugins/test_output_length_guard.py, its token estimate, word boundary and truncation
 * expectations, seen through what the guard does to a tool result.
 */

const managerFor = useManagers();
const a = (n: number) => 'a'.repeat(n);
/** A long ellipsis widens the word-boundary search (a fifth of max_chars) back over the whole kept text. */
const LONG_ELLIPSIS = '[the rest is in the full report]';

describe('OutputLengthGuardPlugin: the token estimate (test_output_length_guard.py expectations)', () => {
  let manager: PluginManager;
  before(async () => {
    // every string is under this minimum, so each violation shows the estimate
    const under = (cpt: number) => `{ limit_mode: "token", min_tokens: 1000000000, chars_per_token: ${cpt}, strategy: "block" }`;
    manager = await managerFor('len-estimate', guardsYaml({ Per1: under(1), Per3: under(3), Per4: under(4), Per10: under(10) }));
  });
  const estimate = async (guard: string, text: string) => {
    const { violation } = await post(manager, guard, text);
    return (violation?.details as { token_count: number }).token_count;
  };

  it('estimates tokens as the characters floor-divided by chars_per_token, whatever the text, an emoji one character', async () => {
    const cases: Array<[string, string, number]> = [
      ['Per4', '', 0],
      ['Per4', 'x', 0],
      ['Per4', '   ', 0],
      ['Per4', 'wxyz', 1],
      ['Per4', 'hello', 1],
      ['Per3', 'Good morning', 4],
      ['Per1', 'Howdy', 5],
      ['Per10', 'Ready, set, go! Ship it now.', 2],
      ['Per4', 'Hi\n\nthere\t\tfolks', 4],
      ['Per4', 'line1\nline2\tline3\r\nline4', 6],
      ['Per4', '~!@#$%^&*()_+-=[]{}|;:,./<>?', 7],
      // 11 characters (12 UTF-16 units), and 14 (20 units): counted as Python counts them
      ['Per4', 'Grüße 世界! 🌍', 2],
      ['Per4', '👨‍👩‍👧‍👦 👍 🎉 ❤️', 3],
      ['Per4', a(900_000), 225_000],
    ];
    for (const [guard, text, tokens] of cases) assert.equal(await estimate(guard, text), tokens, `${guard} ${JSON.stringify(text.slice(0, 30))}`);
    // the same text, the same estimate, call after call
    assert.equal(await estimate('Per4', 'Ready, set, go!'), await estimate('Per4', 'Ready, set, go!'));
    const { violation } = await post(manager, 'Per3', 'Good morning');
    assert.equal(violation?.description, 'Result length 12 (tokens 4) below minimum');
  });
});

describe('OutputLengthGuardPlugin: word boundaries (test_output_length_guard.py expectations)', () => {
  let manager: PluginManager;
  before(async () => {
    manager = await managerFor('len-boundary', guardsYaml({
      // 8 characters kept, and a window of 8 back from the cut
      Wide: `{ max_chars: 40, ellipsis: "${LONG_ELLIPSIS}", word_boundary: true }`,
      Tokens: '{ limit_mode: "token", max_tokens: 10, chars_per_token: 4, ellipsis: "…", word_boundary: true }',
      Tokens3: '{ limit_mode: "token", max_tokens: 3, chars_per_token: 4, ellipsis: "...", word_boundary: true }',
    }));
  });

  it('cuts just after the last space, tab, newline or punctuation before the cut; with none, at the cut, never inside an emoji', async () => {
    const tail = ' and the rest of a long line of words';
    const cases: Array<[string, string]> = [
      ['Quick foxes', 'Quick '], // mid-word: back to after the space
      ['Quick fox', 'Quick '],
      ['Abcdefgh ijk', 'Abcdefgh'], // the cut falls on the space: nothing before it, so the cut stays
      ['Abcdefghijkl', 'Abcdefgh'], // no boundary at all
      ['Hi    there', 'Hi    '], // after the last of several spaces
      ['Stop!Now-wait', 'Stop!'], // punctuation is a boundary
      ['well-knownthing', 'well-'],
      ['Ab\ncdefghij', 'Ab\n'],
      ['Ab\tcdefghij', 'Ab\t'],
      ['Hi 世界世界世界世', 'Hi '],
      ['🌍🌍🌍🌍🌍🌍🌍🌍🌍🌍', '🌍🌍🌍🌍🌍🌍🌍🌍'],
    ];
    for (const [head, kept] of cases) assert.equal(await passed(manager, 'Wide', head + tail), kept + LONG_ELLIPSIS, JSON.stringify(head));
  });

  it('in token mode the search runs back over the final fifth of the token budget, the ellipsis after it', async () => {
    // budget 40 characters: a boundary within the last 8 of them is used
    assert.equal(await passed(manager, 'Tokens', 'Sphinx of black quartz judges my bigvowels entirely'), 'Sphinx of black quartz judges my …');
    assert.equal(await passed(manager, 'Tokens', 'Sphinx of black quartz, judge mysolemnvowtoday'), 'Sphinx of black quartz, judge mysolemnvo…');
    const cut = await passed(manager, 'Tokens3', 'Hello world! This is a test.');
    assert.equal(cut, 'Hello world!...');
  });
});

describe('OutputLengthGuardPlugin: truncation in each limit_mode (test_output_length_guard.py expectations)', () => {
  let manager: PluginManager;
  before(async () => {
    manager = await managerFor('len-cuts', guardsYaml({
      // character mode: max_tokens is there but never read
      Chars20: '{ limit_mode: "character", max_chars: 20, max_tokens: 3, chars_per_token: 4, ellipsis: "..." }',
      Chars100: '{ max_chars: 100, max_tokens: 50, ellipsis: "..." }',
      Chars200: '{ limit_mode: "character", max_chars: 200, max_tokens: 100, ellipsis: "..." }',
      Chars500: '{ max_chars: 500, max_tokens: 10, ellipsis: "..." }',
      Chars5000: '{ max_chars: 5000, max_tokens: 1, ellipsis: "..." }',
      Huge: '{ max_chars: 1000000, max_tokens: 1000000, ellipsis: "..." }',
      Marker: '{ max_chars: 50, ellipsis: "[truncated]" }',
      Bare: '{ max_chars: 100, ellipsis: "" }',
      Banner: '{ max_chars: 100, ellipsis: "[TRUNCATED DUE TO LENGTH LIMIT]" }',
      Chars1: '{ max_chars: 1, ellipsis: "..." }',
      Chars2: '{ max_chars: 2, ellipsis: "..." }',
      Chars4: '{ max_chars: 4, ellipsis: "..." }',
      TightWords: '{ max_chars: 10, ellipsis: "[..more..]", word_boundary: true }',
      // token mode: max_chars is there but never read
      Tokens2: '{ limit_mode: "token", max_chars: null, max_tokens: 2, chars_per_token: 4, ellipsis: "..." }',
      Tokens3: '{ limit_mode: "token", max_chars: null, max_tokens: 3, chars_per_token: 4, ellipsis: "..." }',
      Tokens4: '{ limit_mode: "token", max_tokens: 4, chars_per_token: 4, ellipsis: "..." }',
      Tokens5: '{ limit_mode: "token", max_tokens: 5, chars_per_token: 4, ellipsis: "..." }',
      Tokens5By3: '{ limit_mode: "token", max_tokens: 5, chars_per_token: 3, ellipsis: "..." }',
      Tokens10: '{ limit_mode: "token", max_chars: 5, max_tokens: 10, chars_per_token: 4, ellipsis: "..." }',
      Tokens50: '{ limit_mode: "token", max_tokens: 50, chars_per_token: 4, ellipsis: "..." }',
      Tokens50By3: '{ limit_mode: "token", max_tokens: 50, chars_per_token: 3, ellipsis: "..." }',
      Tokens100: '{ limit_mode: "token", max_chars: 100, max_tokens: 100, chars_per_token: 4, ellipsis: "..." }',
      Tokens200: '{ limit_mode: "token", max_chars: 50, max_tokens: 200, chars_per_token: 4, ellipsis: "..." }',
      Tokens500: '{ limit_mode: "token", max_chars: 1000, max_tokens: 500, chars_per_token: 4, ellipsis: "..." }',
      Tokens1000: '{ limit_mode: "token", max_tokens: 1000, chars_per_token: 4, ellipsis: "..." }',
      Tokens2500: '{ limit_mode: "token", max_chars: 1, max_tokens: 2500, chars_per_token: 4, ellipsis: "..." }',
      // no limit: 0 or null, in either mode
      CharsZero: '{ limit_mode: "character", max_chars: 0, max_tokens: 100, ellipsis: "..." }',
      CharsNull: '{ limit_mode: "character", max_chars: null, max_tokens: 50, ellipsis: "..." }',
      TokensZero: '{ limit_mode: "token", max_chars: 100, max_tokens: 0, ellipsis: "..." }',
      TokensNull: '{ limit_mode: "token", max_chars: 100, max_tokens: null, ellipsis: "..." }',
    }));
  });
  const cut = (guard: string, text: string) => passed(manager, guard, text);

  it('limit_mode character: cuts to max_chars, the ellipsis inside it, whatever max_tokens says; at or under it, nothing changes', async () => {
    assert.equal(await cut('Chars20', 'Hello world! This is a test message that is quite long.'), 'Hello world! This...');
    assert.equal(await cut('Chars20', a(500)), `${a(17)}...`);
    assert.equal(await cut('Chars20', 'Short text'), 'Short text');
    assert.equal(await cut('Chars20', 'Hello 世界 🌍 '.repeat(10)), 'Hello 世界 🌍 Hello ...');
    assert.equal(await cut('Chars100', a(500)), `${a(97)}...`);
    assert.equal(await cut('Chars100', a(100)), a(100));
    assert.equal(await cut('Chars100', ''), '');
    assert.equal(await cut('Chars100', a(900_000)), `${a(97)}...`);
    assert.equal(await cut('Chars200', a(500)), `${a(197)}...`);
    assert.equal(await cut('Chars500', a(1000)), `${a(497)}...`);
    assert.equal(await cut('Chars5000', a(10_000)), `${a(4997)}...`);
    assert.equal(await cut('Huge', a(500)), a(500));
    assert.equal(await cut('Chars4', 'test'), 'test');
  });

  it('the ellipsis: any text, empty for none, counted in max_chars; one that does not fit leaves a hard cut at max_chars', async () => {
    assert.equal(await cut('Marker', a(100)), `${a(39)}[truncated]`);
    assert.equal(await cut('Bare', a(500)), a(100));
    assert.equal(await cut('Banner', a(500)), `${a(69)}[TRUNCATED DUE TO LENGTH LIMIT]`);
    assert.equal(await cut('Chars1', 'test'), 't');
    assert.equal(await cut('Chars1', 'test text here'), 't');
    assert.equal(await cut('Chars2', '     '), '  ');
    // nor is a word boundary looked for then
    assert.equal(await cut('TightWords', 'abcdefgh ijklmn'), 'abcdefgh i');
  });

  it('limit_mode token: keeps max_tokens × chars_per_token characters then appends the ellipsis, whatever max_chars says', async () => {
    assert.equal(await cut('Tokens3', 'Hello world! This is a test.'), 'Hello world!...');
    assert.equal(await cut('Tokens2', 'Hello world! This is a test.'), 'Hello wo...');
    assert.equal(await cut('Tokens2', 'test text that is long'), 'test tex...');
    assert.equal(await cut('Tokens2', 'test text that is rather long'), 'test tex...');
    assert.equal(await cut('Tokens5By3', 'Hello world! This is a test.'), 'Hello world! Th...');
    assert.equal(await cut('Tokens5', 'Hello 世界! 🌍 '.repeat(10)), 'Hello 世界! 🌍 Hello 世界...');
    assert.equal(await cut('Tokens10', 'Hello world! This is a test message that is quite long and exceeds token limits.'),
      'Hello world! This is a test message that...');
    assert.equal(await cut('Tokens50', a(1000)), `${a(200)}...`);
    assert.equal(await cut('Tokens50', 'Hello 世界! 🌍 '.repeat(50)), `${'Hello 世界! 🌍 '.repeat(16)}Hello 世界...`);
    assert.equal(await cut('Tokens50By3', a(300)), `${a(150)}...`);
    assert.equal(await cut('Tokens100', a(500)), `${a(400)}...`);
    assert.equal(await cut('Tokens100', a(1000)), `${a(400)}...`);
    assert.equal(await cut('Tokens200', a(1000)), `${a(800)}...`);
    assert.equal(await cut('Tokens500', a(900_000)), `${a(2000)}...`);
    assert.equal(await cut('Tokens1000', a(900_000)), `${a(4000)}...`);
    // at or within the budget nothing changes, max_chars notwithstanding
    assert.equal(await cut('Tokens10', 'Hello'), 'Hello');
    assert.equal(await cut('Tokens10', 'Short text'), 'Short text');
    assert.equal(await cut('Tokens10', ''), '');
    assert.equal(await cut('Tokens4', 'abcdefghijklmnop'), 'abcdefghijklmnop');
    assert.equal(await cut('Tokens100', a(400)), a(400));
    assert.equal(await cut('Tokens2500', a(10_000)), a(10_000));
  });

  it('the same limits and text give a cut of max_chars in character mode and of max_tokens × chars_per_token in token mode', async () => {
    assert.equal(await cut('Chars200', a(500)), `${a(197)}...`);
    assert.equal(await cut('Tokens100', a(500)), `${a(400)}...`);
  });

  it('max_chars or max_tokens 0 or null: no maximum in that mode, the other mode\'s limit not read instead', async () => {
    for (const guard of ['CharsZero', 'CharsNull', 'TokensZero', 'TokensNull']) {
      assert.equal(await cut(guard, a(500)), a(500), guard);
      assert.equal(await cut(guard, 'Hello world!'), 'Hello world!', guard);
      assert.equal(await cut(guard, 'Hi'), 'Hi', guard);
    }
  });
});
