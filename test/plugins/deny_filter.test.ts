import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import denyFilter from '../../plugins/deny_filter.js';
import type { DenyFilterConfig } from '../../plugins/schemas.js';
import { assertIssueAt, configErrors, parseConfig } from './helpers.js';

const build = (config: unknown) => denyFilter(parseConfig<DenyFilterConfig>('deny_filter', config));
const plugin = build({ words: ['drop_database', 'rm -rf', 'DROP TABLE', 'über'] });

const violation = (word: string, location: string) => ({
  continue_processing: false,
  violation: {
    reason: 'Denied word',
    description: `"${word}" is on the deny list (found in ${location})`,
    code: 'DENY_LIST',
    details: { word, location },
  },
});

describe('deny_filter', () => {
  it('blocks a tool whose name is a denied word', () => {
    assert.deepEqual(plugin.tool_pre_invoke({ name: 'drop_database', args: { db: 'prod' } }), violation('drop_database', 'name'));
  });

  it('finds a denied phrase deep in args, case-insensitively, and names where', () => {
    const payload = { name: 'run_sql', args: { steps: [{ sql: 'select 1' }, { sql: 'then drop table users;' }] } };
    assert.deepEqual(plugin.tool_pre_invoke(payload), violation('drop table', 'args.steps[1].sql'));
  });

  it('matches whole words only, Unicode letters included', () => {
    const pass = { name: 'search', args: { q: 'drop_databases, firm -rf, Überweisung, dropTable' } };
    assert.equal(plugin.tool_pre_invoke(pass), undefined);
    assert.deepEqual(plugin.tool_pre_invoke({ name: 'search', args: { q: 'Grüße ÜBER alles' } }), violation('ÜBER', 'args.q'));
  });

  it('checks prompt args, agent messages and resource URIs', () => {
    assert.deepEqual(
      plugin.prompt_pre_fetch({ prompt_id: 'shell_help', args: { cmd: 'sudo rm -rf /' } }),
      violation('rm -rf', 'args.cmd'),
    );
    assert.deepEqual(
      plugin.agent_pre_invoke({ agent_id: 'ops', messages: [{ role: 'user', content: 'please drop_database now' }], parameters: {} }),
      violation('drop_database', 'messages[0].content'),
    );
    assert.deepEqual(plugin.resource_pre_fetch({ uri: 'db://drop_database', metadata: {} }), violation('drop_database', 'uri'));
  });

  it('honours case_sensitive and check_names', () => {
    const strict = build({ words: ['Secret'], case_sensitive: true, check_names: false });
    assert.equal(strict.tool_pre_invoke({ name: 'Secret', args: { note: 'a secret' } }), undefined);
    assert.deepEqual(strict.tool_pre_invoke({ name: 't', args: { note: 'the Secret plan' } }), violation('Secret', 'args.note'));
  });

  it('treats regex characters in words literally', () => {
    const literal = build({ words: ['a.b', '(x)'] });
    assert.equal(literal.tool_pre_invoke({ name: 't', args: { q: 'axb x' } }), undefined);
    assert.deepEqual(literal.tool_pre_invoke({ name: 't', args: { q: 'see a.b' } }), violation('a.b', 'args.q'));
  });

  it('rejects a bad config naming the field', () => {
    assertIssueAt(configErrors('deny_filter', {}), 'words');
    assertIssueAt(configErrors('deny_filter', { words: [] }), 'words', /too small|at least/i);
    assertIssueAt(configErrors('deny_filter', { words: ['ok', '  '] }), 'words.1');
    assertIssueAt(configErrors('deny_filter', { words: ['x'], case_sensitve: true }), '', /case_sensitve/);
  });
});
