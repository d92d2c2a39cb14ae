import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import resourceFilter from '../../plugins/resource_filter.js';
import type { ResourceFilterConfig } from '../../plugins/schemas.js';
import { assertIssueAt, configErrors, parseConfig } from './helpers.js';

const build = (config: unknown = {}) => resourceFilter(parseConfig<ResourceFilterConfig>('resource_filter', config));
const plugin = build({
  allowed_schemes: ['https', 'file'],
  allowed_domains: ['example.com'],
  blocked_paths: ['/etc', '/home/deploy/.ssh'],
  max_content_bytes: 64,
});
const pre = (uri: string) => plugin.resource_pre_fetch({ uri, metadata: {} });

describe('resource_filter', () => {
  it('passes an allowed https URI on an allowed domain or subdomain', () => {
    assert.equal(pre('https://files.example.com/reports/q3.html?x=1'), undefined);
    assert.equal(pre('HTTPS://Example.COM./'), undefined);
    assert.equal(pre('file:///srv/data/report.csv'), undefined);
  });

  it('blocks a scheme outside the list', () => {
    assert.deepEqual(pre('ftp://files.example.com/x'), {
      continue_processing: false,
      violation: {
        reason: 'Scheme not allowed',
        description: 'ftp: is not an allowed scheme (allowed: https, file)',
        code: 'RESOURCE_SCHEME_BLOCKED',
        details: { uri: 'ftp://files.example.com/x', scheme: 'ftp' },
      },
    });
  });

  it('blocks hosts off the list, including look-alikes and userinfo tricks', () => {
    for (const uri of ['https://evil.test/x', 'https://notexample.com/', 'https://example.com.evil.test/', 'https://example.com@evil.test/']) {
      assert.equal(pre(uri)?.violation?.code, 'RESOURCE_DOMAIN_BLOCKED', uri);
    }
    assert.deepEqual(pre('https://user@evil.test:8443/x')?.violation?.details, { uri: 'https://user@evil.test:8443/x', host: 'evil.test' });
  });

  it('blocks paths under a blocked path after decoding and resolving dot segments', () => {
    assert.deepEqual(pre('file:///srv/www/%2e%2e/../etc/passwd'), {
      continue_processing: false,
      violation: {
        reason: 'Path blocked',
        description: '/etc/passwd is under the blocked path /etc',
        code: 'RESOURCE_PATH_BLOCKED',
        details: { uri: 'file:///srv/www/%2e%2e/../etc/passwd', path: '/etc/passwd', blocked_path: '/etc' },
      },
    });
    assert.equal(pre('file:///etc')?.violation?.code, 'RESOURCE_PATH_BLOCKED');
    assert.equal(pre('file:///home/deploy/.ssh/id_rsa')?.violation?.code, 'RESOURCE_PATH_BLOCKED');
    assert.equal(pre('file:///etcetera/notes.txt'), undefined);
  });

  it('blocks a URI that is not absolute or has a broken escape', () => {
    assert.equal(pre('/etc/passwd')?.violation?.code, 'RESOURCE_URI_INVALID');
    assert.equal(pre('file:///data/%E0%A4%A')?.violation?.code, 'RESOURCE_URI_INVALID');
  });

  it('checks fetched content size in UTF-8 bytes', () => {
    assert.deepEqual(plugin.resource_post_fetch({ uri: 'file:///a', content: 'é'.repeat(32) }), { metadata: { content_bytes: 64 } });
    assert.deepEqual(plugin.resource_post_fetch({ uri: 'file:///a', content: 'é'.repeat(32) + 'x' }), {
      continue_processing: false,
      violation: {
        reason: 'Resource too large',
        description: 'content is 65 bytes, over the limit of 64',
        code: 'RESOURCE_TOO_LARGE',
        details: { uri: 'file:///a', size: 65, limit: 64 },
      },
    });
    const json = { type: 'resource', text: '😀' };
    assert.deepEqual(plugin.resource_post_fetch({ uri: 'file:///a', content: json }), {
      metadata: { content_bytes: Buffer.byteLength(JSON.stringify(json)) },
    });
  });

  it('fills defaults', () => {
    assert.deepEqual(parseConfig('resource_filter', {}), {
      allowed_schemes: ['https', 'http', 'file'], allowed_domains: [], blocked_paths: [], max_content_bytes: 1_000_000,
      blocked_domains: [], content_filters: [], violations: 'cordon',
    });
  });

  it('rejects a bad config naming the field', () => {
    assertIssueAt(configErrors('resource_filter', { allowed_schemes: ['https:'] }), 'allowed_schemes.0');
    assertIssueAt(configErrors('resource_filter', { allowed_domains: ['*.example.com'] }), 'allowed_domains.0', /subdomains/);
    assertIssueAt(configErrors('resource_filter', { blocked_paths: ['etc'] }), 'blocked_paths.0');
    assertIssueAt(configErrors('resource_filter', { max_content_bytes: -1 }), 'max_content_bytes');
  });
});
