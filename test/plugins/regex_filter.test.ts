import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import regexFilter from '../../plugins/regex_filter.js';
import type { RegexFilterConfig } from '../../plugins/schemas.js';
import { assertIssueAt, configErrors, parseConfig } from './helpers.js';

const build = (config: unknown) => regexFilter(parseConfig<RegexFilterConfig>('regex_filter', config));

describe('regex_filter', () => {
  const plugin = build({
    rules: [
      { search: '\\b[a-z0-9-]+\\.corp\\.internal\\b', replace: '[internal-host]', flags: 'i' },
      { search: '(\\d{4})-(\\d{2})-(\\d{2})', replace: '$3/$2/$1' },
      { search: 'crap', replace: 'c**p' },
    ],
  });

  it('applies every rule to every string of nested args, with capture groups', () => {
    const result = plugin.tool_pre_invoke({
      name: 'open_ticket',
      args: { title: 'DB-01.corp.internal is down', body: { since: '2026-11-24', notes: ['crap, and crap again'] }, priority: 2 },
    });
    assert.deepEqual(result, {
      modified_payload: {
        name: 'open_ticket',
        args: { title: '[internal-host] is down', body: { since: '24/11/2026', notes: ['c**p, and c**p again'] }, priority: 2 },
      },
      metadata: { regex_replacements: 4 },
    });
  });

  it('runs rules in order, each on the output of the one before', () => {
    const chained = build({ rules: [{ search: 'cat', replace: 'dog' }, { search: 'dog', replace: 'bird' }] });
    const result = chained.tool_post_invoke({ name: 't', result: 'cat and dog' });
    assert.deepEqual(result, { modified_payload: { name: 't', result: 'bird and bird' }, metadata: { regex_replacements: 3 } });
  });

  it('rewrites prompt message text but not roles or content types', () => {
    const roles = build({ rules: [{ search: 'user|text', replace: 'X' }] });
    const result = roles.prompt_post_fetch({
      prompt_id: 'p',
      result: { messages: [{ role: 'user', content: { type: 'text', text: 'the user wrote text' } }] },
    });
    assert.deepEqual(result?.modified_payload, {
      prompt_id: 'p',
      result: { messages: [{ role: 'user', content: { type: 'text', text: 'the X wrote X' } }] },
    });
  });

  it('passes when nothing matches', () => {
    assert.equal(plugin.agent_pre_invoke({ agent_id: 'a', messages: ['hello'], parameters: {} }), undefined);
  });

  it('rejects a bad config naming the field', () => {
    assertIssueAt(configErrors('regex_filter', { rules: [] }), 'rules');
    assertIssueAt(configErrors('regex_filter', { rules: [{ search: '[a-' }] }), 'rules.0.search', /invalid regular expression/);
    assertIssueAt(configErrors('regex_filter', { rules: [{ search: 'a*' }] }), 'rules.0.search', /empty string/);
    assertIssueAt(configErrors('regex_filter', { rules: [{ search: 'a', flags: 'g' }] }), 'rules.0.flags');
    assertIssueAt(configErrors('regex_filter', { rules: [{ search: 'a', flags: 'ii' }] }), 'rules.0.flags');
    assertIssueAt(configErrors('regex_filter', { rules: [{ search: 'a', replacement: 'b' }] }), 'rules.0', /replacement/);
  });
});
