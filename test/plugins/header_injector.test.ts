import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import headerInjector from '../../plugins/header_injector.js';
import type { HeaderInjectorConfig } from '../../plugins/schemas.js';
import { assertIssueAt, configErrors, context, parseConfig } from './helpers.js';

const build = (config: unknown) => headerInjector(parseConfig<HeaderInjectorConfig>('header_injector', config));
const plugin = build({ headers: { 'X-Request-Id': '{request_id}', 'X-Tenant': '{tenant_id}', 'User-Agent': 'cordon/0.1' } });

describe('header_injector', () => {
  it('adds headers to a tool call that has none, filling placeholders from the global context', () => {
    const result = plugin.tool_pre_invoke({ name: 'search', args: { q: 'x' } }, context({ request_id: 'req-42', tenant_id: 'acme' }));
    assert.deepEqual(result, {
      modified_payload: { name: 'search', args: { q: 'x' }, headers: { 'X-Request-Id': 'req-42', 'X-Tenant': 'acme', 'User-Agent': 'cordon/0.1' } },
      metadata: { headers_injected: ['X-Request-Id', 'X-Tenant', 'User-Agent'] },
    });
  });

  it('overrides an existing header whatever its case, and leaves out one whose placeholder has no value', () => {
    const payload = {
      path: '/mcp', method: 'POST',
      headers: { 'user-agent': 'curl/8', authorization: 'Bearer abc', 'x-request-id': 'req-1' },
    };
    assert.deepEqual(plugin.http_pre_request(payload, context()), {
      modified_payload: { ...payload, headers: { authorization: 'Bearer abc', 'x-request-id': 'req-1', 'User-Agent': 'cordon/0.1' } },
      metadata: { headers_injected: ['User-Agent'] },
    });
  });

  it('keeps existing values when overwrite is off, and passes when nothing changes', () => {
    const keep = build({ headers: { 'X-Trace': 'on', 'X-User': '{user}' }, overwrite: false });
    const payload = { agent_id: 'a', messages: [], parameters: {}, headers: { 'x-trace': 'off' } };
    assert.deepEqual(keep.agent_pre_invoke(payload, context({ user: { email: 'alice@example.com', id: 'u1' } })), {
      modified_payload: { ...payload, headers: { 'x-trace': 'off', 'X-User': 'alice@example.com' } },
      metadata: { headers_injected: ['X-User'] },
    });
    const same = { name: 't', args: {}, headers: { 'User-Agent': 'cordon/0.1' } };
    assert.equal(build({ headers: { 'User-Agent': 'cordon/0.1' } }).tool_pre_invoke(same, context()), undefined);
  });

  it('refuses a context value that would start a second header line', () => {
    const result = build({ headers: { 'X-User': '{user}' } }).tool_pre_invoke({ name: 't', args: {} }, context({ user: 'eve\r\nAuthorization: x' }));
    assert.equal(result, undefined);
  });

  it('rejects protected headers and malformed names or values, naming the field', () => {
    assertIssueAt(configErrors('header_injector', { headers: { Authorization: 'Bearer x' } }), 'headers.Authorization', /protected/);
    assertIssueAt(configErrors('header_injector', { headers: { 'Bad Name': 'x' } }), 'headers.Bad Name');
    assertIssueAt(configErrors('header_injector', { headers: { 'X-A': 'a\r\nb' } }), 'headers.X-A', /line breaks/);
    assertIssueAt(configErrors('header_injector', { headers: {} }), 'headers', /at least one/);
    const allowed = parseConfig<HeaderInjectorConfig>('header_injector', { headers: { Authorization: 'Bearer x' }, protected_headers: ['cookie'] });
    assert.deepEqual(allowed.headers, { Authorization: 'Bearer x' });
  });
});
