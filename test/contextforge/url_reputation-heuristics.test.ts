import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PluginManager } from '../../src/bundled.js';
import { ctx, useManagers } from './harness.js';

/**
 * cpex url-reputation 0.2.0's heuristic check (`use_heuristic_check: true`), as ContextForge's and cpex's tests
 * expect it: a host that looks generated, a TLD not in the root zone, a host not safe to read. The lists and the
 * https rule come first; the rest of url_reputation is in url_reputation.test.ts.
 */

const managerFor = useManagers();

async function heuristic(name: string, extra = '', threshold = 3.5) {
  const manager: PluginManager = await managerFor(name, `
plugins:
  - name: "${name}"
    kind: "cpex_url_reputation.URLReputationPlugin"
    hooks: ["resource_pre_fetch"]
    mode: "enforce"
    config:
      use_heuristic_check: true
      entropy_threshold: ${threshold}
      block_non_secure_http: true${extra}
`);
  return async (uri: string) => {
    const { result } = await manager.invokeHook('resource_pre_fetch', { uri, metadata: {} }, ctx);
    return result.continue_processing ? 'pass' : `${result.violation?.reason} (${result.violation?.code})`;
  };
}

describe('URLReputationPlugin heuristic check (use_heuristic_check)', () => {
  it('passes a whitelisted subdomain and an allowed pattern before any heuristic', async () => {
    const fetch = await heuristic('listsfirst', `
      whitelist_domains: ["example.com", "paypal.com"]
      allowed_patterns: ['^https://trusted\\.example/.*$']
      blocked_domains: ["malicious.com"]
      blocked_patterns: ['.*trusted.*', '.*login.*']`);
    assert.equal(await fetch('https://sub.example.com/login'), 'pass');
    // .example is no TLD of the root zone: the allowed pattern is what lets it through
    assert.equal(await fetch('https://trusted.example/path'), 'pass');
    assert.equal(await fetch('https://untrusted.example/path'), 'Blocked pattern (URL_REPUTATION_BLOCK)');
  });

  it('blocks a look-alike host that mixes scripts, the whitelisted original passing', async () => {
    const fetch = await heuristic('lookalike', `
      whitelist_domains: ["paypal.com"]`);
    assert.equal(await fetch('https://paypal.com/login'), 'pass');
    // a Cyrillic а in place of the Latin a
    assert.equal(await fetch('https://p\u0430ypal.com/login'), 'Domain unicode is not secure (URL_REPUTATION_BLOCK)');
    // one script throughout is not a look-alike; punycode as written is plain ASCII
    assert.equal(await fetch('https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/'), 'pass');
    assert.equal(await fetch('https://xn--fsq.com'), 'pass');
  });

  it('blocks a host that looks generated: "High entropy domain", above the threshold only', async () => {
    const at35 = await heuristic('entropy35');
    assert.equal(await at35('https://q8z3kx0-77wm.com'), 'High entropy domain (URL_REPUTATION_BLOCK)');
    assert.equal(await at35('https://example.com:8080/path'), 'pass');
    const at25 = await heuristic('entropy25', '', 2.5);
    assert.equal(await at25('https://kqpw8e7r6t5y4u.com'), 'High entropy domain (URL_REPUTATION_BLOCK)');
    const at365 = await heuristic('entropy365', '', 3.65);
    assert.equal(await at365('https://zq7fw94hkt2m.com'), 'High entropy domain (URL_REPUTATION_BLOCK)');
    assert.equal(await at365('https://cloud.com'), 'pass');
    // a short host is never judged by its entropy
    assert.equal(await heuristic('entropyshort', '', 0.5).then((f) => f('https://ab.io')), 'pass');
  });

  it('blocks a TLD that is not in the root zone: "Illegal TLD"', async () => {
    const fetch = await heuristic('tld', '', 5.5);
    assert.equal(await fetch('https://shop.qwzx/item'), 'Illegal TLD (URL_REPUTATION_BLOCK)');
    assert.equal(await fetch('https://shop.c0m/item'), 'Illegal TLD (URL_REPUTATION_BLOCK)');
    assert.equal(await fetch('https://shop.dev/item'), 'pass');
  });

  it('blocks a host not safe to read: a label empty or of odd characters, or a name too long', async () => {
    const fetch = await heuristic('unicode', '', 5);
    const unsafe = 'Domain unicode is not secure (URL_REPUTATION_BLOCK)';
    assert.equal(await fetch(`https://${'very_long_name'.repeat(20)}.com`), unsafe);
    assert.equal(await fetch('https://shop..com'), unsafe);
    assert.equal(await fetch('https://sh$op.com'), unsafe);
    assert.equal(await fetch('https://---.shop.com'), unsafe);
    assert.equal(await fetch('https://p\u0430ypal.com/test'), unsafe);
    assert.equal(await fetch('https://shop.com'), 'pass');
  });

  it('reads xn-- labels decoded: a look-alike in Punycode is blocked, an honest one passes', async () => {
    const fetch = await heuristic('punycode', '', 5);
    const unsafe = 'Domain unicode is not secure (URL_REPUTATION_BLOCK)';
    // pаypal with a Cyrillic а, as a URL parser writes it
    assert.equal(await fetch('https://xn--pypal-4ve.com/login'), unsafe);
    // not Punycode at all, or Punycode of plain ASCII
    assert.equal(await fetch('https://xn--99999999999999.com/'), unsafe);
    assert.equal(await fetch('https://xn--shop-.com/'), unsafe);
    assert.equal(await fetch('https://xn--mnchen-3ya.de/'), 'pass');
    assert.equal(await fetch('https://xn--fsq.com/'), 'pass');
  });

  it('does not judge an IP address as a name, and checks the scheme before the host', async () => {
    const fetch = await heuristic('ips', '', 5);
    assert.equal(await fetch('https://172.16.4.2:8443'), 'pass');
    assert.equal(await fetch('https://[fd00:0000:0000:0000:0000:0000:0000:0abc]:8443/'), 'pass');
    assert.equal(await fetch('http://shop.com'), 'Blocked non secure http url (URL_REPUTATION_BLOCK)');
  });

  it('looks at nothing of the kind with use_heuristic_check false, whatever entropy_threshold says', async () => {
    const manager = await managerFor('noheuristic', `
plugins:
  - name: "NoHeuristic"
    kind: "cpex_url_reputation.URLReputationPlugin"
    hooks: ["resource_pre_fetch"]
    config: { use_heuristic_check: false, entropy_threshold: 0.1, block_non_secure_http: true }
`);
    for (const uri of ['https://q8z3kx0-77wm.com', 'https://shop.qwzx/', 'https://p\u0430ypal.com/']) {
      assert.equal((await manager.invokeHook('resource_pre_fetch', { uri, metadata: {} }, ctx)).result.continue_processing, true, uri);
    }
  });
});
