import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import urlReputation from '../../plugins/url_reputation.js';
import type { UrlReputationConfig } from '../../plugins/schemas.js';
import { assertIssueAt, configErrors, parseConfig } from './helpers.js';

const build = (config: unknown) => urlReputation(parseConfig<UrlReputationConfig>('url_reputation', config));
const plugin = build({
  blocked_domains: ['malware.test', 'Phish.Example'],
  blocked_patterns: ['\\.exe(?:$|\\?)', '/wp-admin/'],
  allowed_domains: ['safe.malware.test'],
});

const blocked = (url: string, rule: string, location: string) => ({
  continue_processing: false,
  violation: {
    reason: 'Blocked URL',
    description: `${url} matches blocked ${rule} (found in ${location})`,
    code: 'URL_BLOCKED',
    details: { url, location, rule },
  },
});

describe('url_reputation', () => {
  it('blocks a URL on a blocked domain or its subdomains, found deep in args', () => {
    const payload = {
      name: 'fetch_page',
      args: { pages: [{ url: 'https://docs.example.com/a' }, { url: 'see https://cdn.MALWARE.test./kit.zip, then reply' }] },
    };
    assert.deepEqual(plugin.tool_pre_invoke(payload), blocked('https://cdn.MALWARE.test./kit.zip', 'domain malware.test', 'args.pages[1].url'));
  });

  it('sees through userinfo, ports and escapes in the host', () => {
    const url = 'http://docs.example.com@phish.example:8080/login';
    assert.deepEqual(plugin.prompt_pre_fetch({ prompt_id: 'p', args: { link: url } }), blocked(url, 'domain phish.example', 'args.link'));
    const escaped = 'https://phish%2Eexample/x';
    assert.deepEqual(plugin.prompt_pre_fetch({ prompt_id: 'p', args: { link: escaped } }), blocked(escaped, 'domain phish.example', 'args.link'));
  });

  it('blocks on patterns, case-insensitively, against the whole URL', () => {
    const url = 'https://downloads.example.org/setup.EXE';
    assert.deepEqual(
      plugin.agent_pre_invoke({ agent_id: 'a', messages: [{ role: 'user', content: `install ${url}.` }], parameters: {} }),
      blocked(url, 'pattern \\.exe(?:$|\\?)', 'messages[0].content'),
    );
    assert.equal(plugin.resource_pre_fetch({ uri: 'https://blog.example.org/wp-admin/users', metadata: {} })?.violation?.code, 'URL_BLOCKED');
  });

  it('with case_sensitive_patterns, matches case as written unless a pattern starts with (?i)', () => {
    const cased = build({ blocked_patterns: ['/Admin/', '(?i)\\.exe$'], case_sensitive_patterns: true });
    const fetch = (uri: string) => cased.resource_pre_fetch({ uri, metadata: {} })?.violation?.details;
    assert.deepEqual(fetch('https://a.example/Admin/x'), { url: 'https://a.example/Admin/x', location: 'uri', rule: 'pattern /Admin/' });
    assert.equal(fetch('https://a.example/admin/x'), undefined);
    assert.equal((fetch('https://a.example/SETUP.EXE') as { rule: string }).rule, 'pattern (?i)\\.exe$');
    assertIssueAt(configErrors('url_reputation', { blocked_patterns: ['(?i)(?<'] }), 'blocked_patterns.0', /invalid regular expression/);
  });

  it('lets allowed domains through and ignores look-alike hosts', () => {
    const payload = {
      name: 't',
      result: 'https://safe.malware.test/kit.exe https://notmalware.test/ https://malware.testing.example/ mailto:x@malware.test',
    };
    assert.equal(plugin.tool_post_invoke(payload), undefined);
  });

  it('with heuristics, blocks a host that looks generated, has no root-zone TLD or mixes scripts; IPs pass', () => {
    const guarded = build({ heuristics: true });
    const rule = (text: string) => (guarded.tool_pre_invoke({ name: 't', args: { text } })?.violation?.details as { rule?: string } | undefined)?.rule;
    assert.match(rule('see https://x9q2m7z4k1w8.com/a') ?? '', /^entropy /);
    assert.match(rule('see https://shop.invalidtld/a') ?? '', /^tld /);
    assert.match(rule('see https://g\u043eogle.com/a') ?? '', /^unicode /);
    assert.equal(rule('see https://docs.example.com/a and https://192.0.2.10/x and file:///tmp/notes.txt'), undefined);
    assert.match(rule('see https://[fe80::1::2]/x') ?? '', /^url /);
    assert.equal(build({}).tool_pre_invoke({ name: 't', args: { text: 'https://x9q2m7z4k1w8.com/a' } }), undefined);
    assertIssueAt(configErrors('url_reputation', { entropy_threshold: -1 }), 'entropy_threshold');
  });

  it('with require_host, blocks a URL without a readable host, and a resource URI that is no such URL', () => {
    const strict = build({ require_host: true });
    const rule = (uri: string) => (strict.resource_pre_fetch({ uri, metadata: {} })?.violation?.details as { rule?: string } | undefined)?.rule;
    assert.equal(rule('not a url'), 'url (not a URL with a readable host)');
    assert.equal(rule('urn:isbn:0451450523'), 'host (none)');
    assert.equal(strict.tool_post_invoke({ name: 't', result: 'go to https://999.1.1.1/' })?.violation?.code, 'URL_BLOCKED');
    assert.equal(strict.resource_pre_fetch({ uri: 'https://docs.example.com/a', metadata: {} }), undefined);
    // without it, a URI holding no URL is not judged
    assert.equal(plugin.resource_pre_fetch({ uri: 'not a url', metadata: {} }), undefined);
  });

  it('rejects a bad config naming the field', () => {
    assertIssueAt(configErrors('url_reputation', { blocked_domains: ['https://evil.test'] }), 'blocked_domains.0');
    assertIssueAt(configErrors('url_reputation', { blocked_patterns: ['ok', '(?<'] }), 'blocked_patterns.1', /invalid regular expression/);
    assertIssueAt(configErrors('url_reputation', { allow_domains: [] }), '', /allow_domains/);
  });
});
