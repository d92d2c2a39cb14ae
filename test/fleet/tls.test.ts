import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PluginError, PluginManager, type ConfigInput } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { serve, SERVER_CONFIG, type Served } from './serve-helpers.js';

/*
 * cordon serve over HTTPS, and with --tls-ca over mutual TLS, called by a kind: external entry with `mcp.tls`.
 * The certificates are made here, at test time, by openssl: a CA, a server certificate for 127.0.0.1 and a client
 * certificate, both signed by that CA.
 */
function makeCertificates(): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const dir = tempDir();
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=cordon test CA');
  writeFileSync(at('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const who of ['server', 'client']) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=cordon test ${who}`);
    openssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '2',
      ...(who === 'server' ? ['-extfile', 'san.ext'] : []));
  }
  return { ca: at('ca.pem'), serverCert: at('server.pem'), serverKey: at('server.key'), clientCert: at('client.pem'), clientKey: at('client.key') };
}

const config = (url: string, tls: Record<string, unknown>): ConfigInput => ({
  plugins: [{ name: 'm_sequential', kind: 'external', timeout: 10, mcp: { proto: 'STREAMABLEHTTP', url, tls } }],
});

async function runs(url: string, tls: Record<string, unknown>): Promise<boolean> {
  const manager = new PluginManager(config(url, tls));
  try {
    await manager.initialize();
    const { result } = await manager.invokeHook('tool_pre_invoke', { name: 't', args: {} }, { request_id: 'r1' });
    return result.metadata.ran_s === true;
  } finally {
    await manager.shutdown();
  }
}

const refused = async (url: string, tls: Record<string, unknown>) => {
  const err = await runs(url, tls).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof PluginError, String(err));
  assert.match(err.message, /^Plugin m_sequential failed to load: plugin server https:.*: the server cannot be used/);
};

const certs = makeCertificates();

describe('cordon serve over TLS', () => {
  let server: Served;
  before(async () => {
    server = await serve([SERVER_CONFIG, '--port', '0', '--tls-cert', certs.serverCert, '--tls-key', certs.serverKey]);
  });
  after(() => server?.stop());

  test('a client that trusts the CA calls it; one that does not is refused', async () => {
    assert.equal(await runs(server.url, { ca_bundle: certs.ca }), true);
    await refused(server.url, {});
  });

  test('verify: false skips the check (the operator\'s choice)', async () => {
    assert.equal(await runs(server.url, { verify: false }), true);
  });
});

describe('cordon serve over mutual TLS (--tls-ca)', () => {
  let server: Served;
  before(async () => {
    server = await serve([SERVER_CONFIG, '--port', '0', '--tls-cert', certs.serverCert, '--tls-key', certs.serverKey, '--tls-ca', certs.ca]);
  });
  after(() => server?.stop());

  test('a client with a certificate the CA signed is served; one without is refused', async () => {
    assert.match(server.stderr(), /\(mTLS\)/);
    assert.equal(await runs(server.url, { ca_bundle: certs.ca, certfile: certs.clientCert, keyfile: certs.clientKey }), true);
    await refused(server.url, { ca_bundle: certs.ca });
  });
});
