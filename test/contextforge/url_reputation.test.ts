import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { ctx, useManagers } from './harness.js';

/** ContextForge's url_reputation/test_url_reputation.py and cpex url-reputation 0.2.0's tests. */

const managerFor = useManagers();

describe('URLReputationPlugin (test_url_reputation.py expectations)', () => {
  let manager: PluginManager;
  before(async () => {
    manager = await managerFor('urls', `
plugins:
  - name: "Urls"
    kind: "cpex_url_reputation.URLReputationPlugin"
    hooks: ["resource_pre_fetch"]
    mode: "enforce"
    conditions: []
    config:
      whitelist_domains: ["docs.partner.example"]
      allowed_patterns: []
      blocked_domains: ["shady.example"]
      blocked_patterns: ["backoffice", "signin"]
      use_heuristic_check: false
      entropy_threshold: 3.5
      block_non_secure_http: false
`);
  });
  const fetch = async (uri: string) => (await manager.invokeHook('resource_pre_fetch', { uri, metadata: {} }, ctx)).result;

  it('blocks a blocked domain and its subdomains with reason "Blocked domain"', async () => {
    for (const uri of ['https://shady.example/a', 'https://cdn.shady.example/a']) {
      const result = await fetch(uri);
      assert.equal(result.continue_processing, false, uri);
      assert.equal(result.violation?.reason, 'Blocked domain', uri);
      assert.equal(result.violation?.code, 'URL_REPUTATION_BLOCK', uri);
    }
  });

  it('blocks a URL matching a blocked pattern with reason "Blocked pattern"', async () => {
    const result = await fetch('https://fine.example/backoffice/home');
    assert.equal(result.continue_processing, false);
    assert.equal(result.violation?.reason, 'Blocked pattern');
  });

  it('lets a whitelisted domain and its subdomains through, and clean URLs', async () => {
    assert.equal((await fetch('https://api.docs.partner.example/signin')).continue_processing, true);
    assert.equal((await fetch('https://fine.example/page')).continue_processing, true);
  });

  it('blocks plain http unless block_non_secure_http is false, and lets allowed_patterns through first', async () => {
    const strict = await managerFor('urls-https', `
plugins:
  - name: "UrlsHttps"
    kind: "cpex_url_reputation.URLReputationPlugin"
    hooks: ["resource_pre_fetch"]
    config:
      allowed_patterns: ['^https://mirror\\.partner\\.example/']
      blocked_domains: ["partner.example"]
      blocked_patterns: ["signin"]
`);
    const fetchOn = async (uri: string) => (await strict.invokeHook('resource_pre_fetch', { uri, metadata: {} }, ctx)).result;
    const plain = await fetchOn('http://plain.example/page');
    assert.equal(plain.continue_processing, false);
    assert.deepEqual([plain.violation?.reason, plain.violation?.code], ['Blocked non secure http url', 'URL_REPUTATION_BLOCK']);
    assert.equal((await fetchOn('https://plain.example/page')).continue_processing, true);
    // an allowed pattern wins over the blocked domain and the blocked pattern it also matches
    assert.equal((await fetchOn('https://mirror.partner.example/signin')).continue_processing, true);
    assert.equal((await fetchOn('https://www.partner.example/')).violation?.reason, 'Blocked domain');
  });

  it("matches its patterns against the URL as written, case included; a leading (?i) ignores case", async () => {
    const cased = await managerFor('urls-case', `
plugins:
  - name: "UrlsCase"
    kind: "cpex_url_reputation.URLReputationPlugin"
    hooks: ["resource_pre_fetch"]
    config:
      allowed_patterns: ['/Public/']
      blocked_patterns: ["Admin", "(?i)token="]
      block_non_secure_http: false
`);
    const fetchOn = async (uri: string) => (await cased.invokeHook('resource_pre_fetch', { uri, metadata: {} }, ctx)).result;
    assert.equal((await fetchOn('https://site.example/Admin/panel')).violation?.reason, 'Blocked pattern');
    assert.equal((await fetchOn('https://site.example/admin/panel')).continue_processing, true);
    assert.equal((await fetchOn('https://site.example/q?TOKEN=1')).violation?.reason, 'Blocked pattern');
    // an allowed pattern is read with case too: /public/ is not /Public/
    assert.equal((await fetchOn('https://site.example/Public/Admin')).continue_processing, true);
    assert.equal((await fetchOn('https://site.example/public/Admin')).violation?.reason, 'Blocked pattern');
  });

  it('refuses the heuristic keys it cannot honour, naming plugin and key', async () => {
    await assert.rejects(managerFor('urls-heuristic', `
plugins:
  - name: "Heuristic"
    kind: "cpex_url_reputation.URLReputationPlugin"
    hooks: ["resource_pre_fetch"]
    config: { blocked_domains: [], use_heuristic_check: true }
`), /plugins\[0\]\.config\.use_heuristic_check: plugin "Heuristic": use_heuristic_check: true has no equivalent in Cordon's url_reputation.*kind: external/);
  });
});
