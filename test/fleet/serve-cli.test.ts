import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cordon } from '../cli/helpers.js';
import { fixture, freePort, tempDir } from '../helpers.js';
import { serve, SERVER_CONFIG } from './serve-helpers.js';

/* The command line of cordon serve: its help, ContextForge's environment names, server_settings, bad flags. */
describe('cordon serve (command line)', () => {
  test('--help names the flags and their environment variables', async () => {
    const { code, stdout } = await cordon(['serve', '--help']);
    assert.equal(code, 0);
    for (const word of ['--host', '--port', '--transport', '--tls-cert', '--tls-key', '--tls-ca', 'PLUGINS_CONFIG_PATH', 'PLUGINS_SERVER_HOST',
      'PLUGINS_SERVER_PORT', 'PLUGINS_TRANSPORT', 'server_settings', '/health', 'kind: external']) {
      assert.ok(stdout.includes(word), `help mentions ${word}`);
    }
  });

  for (const [what, args, env, message] of [
    ['no config', ['serve'], {}, /no config: give a config file or set PLUGINS_CONFIG_PATH/],
    ['an unknown transport', ['serve', SERVER_CONFIG, '--transport', 'sse'], {}, /unknown transport sse/],
    ['a bad port', ['serve', SERVER_CONFIG, '--port', 'eighty'], {}, /invalid port eighty/],
    ['a certificate without a key', ['serve', SERVER_CONFIG, '--tls-cert', 'x.pem'], {}, /TLS needs both a certificate and a key/],
    ['a missing config', ['serve', 'nope.yaml'], {}, /nope\.yaml.*file not found/],
  ] as const) {
    test(`${what}: exit 2 and one line on stderr`, async () => {
      const { code, stderr } = await cordon([...args], { env: { ...process.env, PLUGINS_CONFIG_PATH: '', ...env } });
      assert.equal(code, 2);
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
    });
  }

  test('ContextForge\'s environment variables stand in for the config path and the port', async () => {
    const port = await freePort();
    const server = await serve([], { PLUGINS_CONFIG_PATH: SERVER_CONFIG, PLUGINS_SERVER_PORT: String(port), PLUGINS_TRANSPORT: 'http' });
    try {
      assert.equal(server.port, port);
    } finally {
      await server.stop();
    }
  });

  test('server_settings in the config give the host and port; a flag overrides them', async () => {
    const [port, other] = [await freePort(), await freePort()];
    const dir = tempDir();
    const path = join(dir, 'served.yaml');
    writeFileSync(path, `server_settings: { host: 127.0.0.1, port: ${port} }\nplugin_dirs: [${fixture('plugins')}]\n`
      + 'plugins:\n  - { name: one, kind: ./scripted.js, hooks: [tool_pre_invoke], isolation: inline, config: { tag: one } }\n');
    const fromConfig = await serve([path]);
    await fromConfig.stop();
    assert.equal(fromConfig.port, port);
    const fromFlag = await serve([path, '--port', String(other)]);
    await fromFlag.stop();
    assert.equal(fromFlag.port, other);
  });
});
