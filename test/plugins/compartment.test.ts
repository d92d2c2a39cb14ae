/**
 * Runs each compiled bundled plugin inside an SES Compartment after lockdown(), with nothing endowed, as the
 * sandbox isolation does, and checks that it acts exactly as the same file imported on the host. This process
 * locks itself down: node --test gives every test file its own process.
 */
import 'ses';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { ModuleSource } from '@endo/module-source';
import { MemoryStore } from '../../src/runtime/store.js';
import { StoreGate } from '../../src/runtime/store-gate.js';
import { bundledSchemas } from '../../plugins/schemas.js';
import { context } from './helpers.js';

type Hooks = Record<string, (payload: unknown, context?: unknown) => unknown>;
type Factory = (config: unknown, grants?: unknown) => Hooks;

const DIST = new URL('../../plugins/', import.meta.url);

async function inCompartment(name: string, globals: Record<string, unknown> = {}): Promise<Factory> {
  const text = await readFile(new URL(`${name}.js`, DIST), 'utf8');
  const compartment = new Compartment({ globals: harden(globals), modules: { plugin: { source: new ModuleSource(text) } }, __options__: true });
  const { namespace } = await compartment.import('plugin');
  return namespace.default as Factory;
}

async function onHost(name: string): Promise<Factory> {
  return (await import(new URL(`${name}.js`, DIST).href)).default as Factory;
}

const ctx = context({ request_id: 'req-9', user: 'alice@example.com', tenant_id: 'acme' });
const CASES: Array<[name: string, config: unknown, hook: string, payload: unknown]> = [
  ['pii_filter', {}, 'tool_pre_invoke', { name: 'send_email', args: { to: 'dana@example.com', note: 'card 4111 1111 1111 1111' } }],
  ['deny_filter', { words: ['drop_database'] }, 'tool_pre_invoke', { name: 'drop_database', args: {} }],
  ['regex_filter', { rules: [{ search: '(\\w+)@corp', replace: '$1@[corp]' }] }, 'tool_post_invoke', { name: 't', result: 'mail ops@corp' }],
  ['secrets_detection', {}, 'tool_post_invoke', { name: 'read_file', result: `AWS_ACCESS_KEY_ID=${['AKIA', 'Q3T7XK2MZ5WB4NRD'].join('')}` }],
  ['output_length_guard', { max_chars: 5 }, 'tool_post_invoke', { name: 't', result: { text: 'abcdefgh' } }],
  ['resource_filter', { blocked_paths: ['/etc'] }, 'resource_pre_fetch', { uri: 'file:///srv/%2e%2e/etc/passwd', metadata: {} }],
  ['url_reputation', { blocked_domains: ['malware.test'] }, 'tool_pre_invoke', { name: 'fetch', args: { url: 'https://x.malware.test/' } }],
  ['header_injector', { headers: { 'X-Request-Id': '{request_id}' } }, 'http_pre_request', { path: '/', method: 'GET', headers: {} }],
  ['schema_guard', { arg_schemas: { t: { required: ['q'] } } }, 'tool_pre_invoke', { name: 't', args: {} }],
  // value groups (the d flag), the phone metadata, the IBAN registry and the card brand table, after lockdown
  ['secrets_detection', { action: 'redact' }, 'tool_post_invoke', { name: 'sh', result: `DATABASE_URL=postgres://app:${'Zq8v' + 'Lm3xT9'}@db.internal/x\npassword: "${'Xk9#mP2' + 'vL8qR'}"` }],
  ['pii_filter', { detect: { aadhaar: true } }, 'tool_post_invoke', { name: 't', result: 'call +44 20 7946 0018, IBAN GB82 WEST 1234 5698 7654 32, card 3782 822463 10005, aadhaar 2345 6789 0124' }],
  ['html_sanitizer', {}, 'resource_post_fetch', { uri: 'https://e.example/', content: '<p onclick="x()">hi</p><script>y()</script>' }],
];

describe('bundled plugins in an SES compartment', () => {
  before(() => lockdown({ errorTaming: 'safe', regExpTaming: 'safe', localeTaming: 'safe', overrideTaming: 'moderate', reporting: 'none' }));

  for (const [name, rawConfig, hook, payload] of CASES) {
    it(`${name} acts on ${hook} as it does on the host`, async () => {
      const config = harden(bundledSchemas[name]!.parse(rawConfig));
      const sandboxed = await (await inCompartment(name))(config)[hook]!(structuredClone(payload), structuredClone(ctx));
      const host = await (await onHost(name))(config)[hook]!(structuredClone(payload), structuredClone(ctx));
      assert.notEqual(host, undefined, 'each case is chosen so that the plugin acts');
      assert.deepEqual(sandboxed, host);
    });
  }

  it('rate_limiter counts in an endowed store, and without one says it needs the clock', async () => {
    const config = harden(bundledSchemas.rate_limiter!.parse({ by_user: '2/m' }));
    const store = new StoreGate(new MemoryStore()).forPlugin('rl');
    const withStore = (await inCompartment('rate_limiter', { store }))(config);
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const result = (await withStore.tool_pre_invoke!({ name: 't', args: {} }, ctx)) as { violation?: { code: string } } | undefined;
      codes.push(result?.violation?.code ?? 'pass');
    }
    assert.deepEqual(codes, ['pass', 'pass', 'RATE_LIMITED']);
    assert.equal(await store.get('user:2/m:alice@example.com'), 3);

    const bare = (await inCompartment('rate_limiter'))(config);
    await assert.rejects(async () => bare.tool_pre_invoke!({ name: 't', args: {} }, ctx), /clock is not granted/);
  });
});
