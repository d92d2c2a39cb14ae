import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ctx, useManagers } from './harness.js';

/** ContextForge's header_injector plugin (it has no tests of its own in v1.0.0). */

const managerFor = useManagers();

describe('HeaderInjectorPlugin (header_injector expectations)', () => {
  it('merges its headers into a resource fetch, only for the configured URI prefixes', async () => {
    const manager = await managerFor('headers', `
plugins:
  - name: "Headers"
    kind: "plugins.header_injector.header_injector.HeaderInjectorPlugin"
    hooks: ["resource_pre_fetch"]
    mode: "enforce"
    config:
      headers: { User-Agent: "Gateway-Test/2.0", X-Trace: "on" }
      uri_prefixes: ["https://api.partner.example/"]
`);
    const { result } = await manager.invokeHook('resource_pre_fetch',
      { uri: 'https://api.partner.example/v1/doc', metadata: { headers: { Accept: 'text/plain', 'user-agent': 'old' }, other: 1 } }, ctx);
    assert.deepEqual(result.modified_payload, {
      uri: 'https://api.partner.example/v1/doc',
      metadata: { headers: { Accept: 'text/plain', 'User-Agent': 'Gateway-Test/2.0', 'X-Trace': 'on' }, other: 1 },
    });
    const elsewhere = await manager.invokeHook('resource_pre_fetch', { uri: 'https://other.example/', metadata: {} }, ctx);
    assert.equal(elsewhere.result.modified_payload ?? null, null);
  });
});
