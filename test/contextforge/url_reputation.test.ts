import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { ctx, useManagers } from './harness.js';

/**
 * ContextForge's url_reputation/test_url_reputation.py and cpex url-reputation 0.2.0's tests (test_plugin.py,
 * test_url_reputation.py, the engine's #[test]s): domain lists, patterns, the https rule and URIs it cannot read.
 * The heuristic check is in url_reputation-heuristics.test.ts.
 */

const managerFor = useManagers();
const fetchOn = (manager: PluginManager) => async (uri: string) =>
  (await manager.invokeHook('resource_pre_fetch', { uri, metadata: {} }, ctx)).result;
const urls = (name: string, config: string) => `
plugins:
  - name: "${name}"
    kind: "cpex_url_reputation.URLReputationPlugin"
    hooks: ["resource_pre_fetch"]
    mode: "enforce"
    conditions: []
    config: ${config}
`;

describe('URLReputationPlugin (test_url_reputation.py expectations)', () => {
  let fetch: (uri: string) => Promise<{ continue_processing: boolean; violation?: { reason: string; code: string } | null }>;
  before(async () => {
    // domains written in mixed case, as the normalisation tests write them
    fetch = fetchOn(await managerFor('urls', urls('Urls', `
      whitelist_domains: ["Docs.Partner.EXAMPLE", "Both.Example"]
      allowed_patterns: []
      blocked_domains: ["SHADY.example", "both.example"]
      blocked_patterns: ["backoffice", "signin"]
      use_heuristic_check: false
      entropy_threshold: 3.5
      block_non_secure_http: false`)));
  });

  it('blocks a blocked domain and its subdomains with reason "Blocked domain"', async () => {
    for (const uri of ['https://shady.example/a', 'https://cdn.shady.example/a', 'https://a.b.cdn.shady.example/v1', 'https://Shady.EXAMPLE/a']) {
      const result = await fetch(uri);
      assert.equal(result.continue_processing, false, uri);
      assert.equal(result.violation?.reason, 'Blocked domain', uri);
      assert.equal(result.violation?.code, 'URL_REPUTATION_BLOCK', uri);
    }
    // a host that only ends in the same letters is another domain
    assert.equal((await fetch('https://notshady.example/a')).continue_processing, true);
  });

  it('blocks a URL matching a blocked pattern with reason "Blocked pattern"', async () => {
    const result = await fetch('https://fine.example/backoffice/home');
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.reason, 'Blocked pattern');
  });

  it('lets a whitelisted domain and its subdomains through, whatever their case, and clean URLs', async () => {
    for (const uri of ['https://docs.partner.example/x', 'https://api.docs.partner.example/signin', 'https://API.Docs.Partner.example/signin']) {
      const result = await fetch(uri);
      assert.equal(result.continue_processing, true, uri);
      assert.equal(result.violation ?? null, null, uri);
    }
    assert.equal((await fetch('https://fine.example/page')).continue_processing, true);
    // a whitelisted domain wins over the same domain blocked
    assert.equal((await fetch('https://both.example/path')).continue_processing, true);
  });

  it('loads domain lists left empty or null', async () => {
    const fetchNone = fetchOn(await managerFor('urls-none', urls('UrlsNone', `
      whitelist_domains: null
      blocked_domains: []
      block_non_secure_http: false`)));
    assert.equal((await fetchNone('https://anything.example/path')).continue_processing, true);
  });

  it('blocks plain http unless block_non_secure_http is false, and lets allowed_patterns through first', async () => {
    const fetchStrict = fetchOn(await managerFor('urls-https', urls('UrlsHttps', `
      allowed_patterns: ['^https://mirror\\.partner\\.example/', "0932"]
      blocked_domains: ["partner.example"]
      blocked_patterns: ["signin", "crypto.*"]`)));
    const plain = await fetchStrict('http://plain.example/page');
    assert.equal(plain.continue_processing, false);
    assert.deepEqual([plain.violation?.reason, plain.violation?.code], ['Blocked non secure http url', 'URL_REPUTATION_BLOCK']);
    assert.equal((await fetchStrict('https://plain.example/page')).continue_processing, true);
    assert.equal((await fetchStrict('https://rust.example')).continue_processing, true);
    // an allowed pattern wins over the blocked domain and the blocked pattern it also matches
    assert.equal((await fetchStrict('https://mirror.partner.example/signin')).continue_processing, true);
    assert.equal((await fetchStrict('https://www.partner.example/')).violation?.reason, 'Blocked domain');
    assert.equal((await fetchStrict('https://fine.example/crypto-invest')).violation?.reason, 'Blocked pattern');
  });

  it("matches its patterns against the URL as written, case included; a leading (?i) ignores case", async () => {
    const fetchCased = fetchOn(await managerFor('urls-case', urls('UrlsCase', `
      allowed_patterns: ['/Public/']
      blocked_patterns: ["Admin", "(?i)token="]
      block_non_secure_http: false`)));
    assert.equal((await fetchCased('https://site.example/Admin/panel')).violation?.reason, 'Blocked pattern');
    assert.equal((await fetchCased('https://site.example/admin/panel')).continue_processing, true);
    assert.equal((await fetchCased('https://site.example/q?TOKEN=1')).violation?.reason, 'Blocked pattern');
    // an allowed pattern is read with case too: /public/ is not /Public/
    assert.equal((await fetchCased('https://site.example/Public/Admin')).continue_processing, true);
    assert.equal((await fetchCased('https://site.example/public/Admin')).violation?.reason, 'Blocked pattern');
  });

  it('blocks a resource URI it cannot read a host from: "Could not parse url", "Could not parse domain"', async () => {
    const fetchAny = fetchOn(await managerFor('urls-parse', urls('UrlsParse', '{}')));
    const reasons = async (uri: string) => {
      const result = await fetchAny(uri);
      return [result.continue_processing, result.violation?.reason, result.violation?.code];
    };
    assert.deepEqual(await reasons('not a url'), [false, 'Could not parse url', 'URL_REPUTATION_BLOCK']);
    assert.deepEqual(await reasons('ht!tp://site.example'), [false, 'Could not parse url', 'URL_REPUTATION_BLOCK']);
    assert.deepEqual(await reasons('mailto:someone@site.example'), [false, 'Could not parse domain', 'URL_REPUTATION_BLOCK']);
    // a numeric host is an IP address, and these are not
    assert.deepEqual(await reasons('https://300.20.0.1:8443'), [false, 'Could not parse url', 'URL_REPUTATION_BLOCK']);
    assert.deepEqual(await reasons('https://[fd00:1::2::3 ]:8443/'), [false, 'Could not parse url', 'URL_REPUTATION_BLOCK']);
    assert.deepEqual(await reasons('https://10.20.30.40:8443'), [true, undefined, undefined]);
    assert.deepEqual(await reasons('https://[fd00:0000:0000:0000:0000:0000:0000:0002]:8443/'), [true, undefined, undefined]);
  });

  it('refuses an invalid pattern at load, naming its path', async () => {
    await assert.rejects(
      managerFor('urls-bad-pattern', urls('BadPattern', '{ blocked_patterns: ["fine", "[unclosed"] }')),
      /plugins\[0\]\.config\.blocked_patterns\[1\].*invalid regular expression/,
    );
  });
});
