/**
 * Runs every escape attempt of escape-attempts*.ts through the real boundary in a real worker whose environment holds
 * a secret, and looks for each success on the host side: a file written, a process spawned, a loopback socket
 * opened, the secret in anything the plugin reports, host paths leaked, the worker's or the host's realm changed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AMBIENT_ATTEMPTS, SOURCE_ATTEMPTS, STACK_ATTEMPTS, attemptSource, prelude, type EscapeAttempt, type EscapeContext } from './escape-attempts.js';
import { ENDOWMENT_ATTEMPTS, NEIGHBOUR_ATTEMPTS, PROTOTYPE_ATTEMPTS } from './escape-attempts-endowments.js';
import { SandboxHarness, pluginDef, probe } from './harness.js';

const ATTEMPTS = [...AMBIENT_ATTEMPTS, ...STACK_ATTEMPTS, ...SOURCE_ATTEMPTS, ...ENDOWMENT_ATTEMPTS, ...PROTOTYPE_ATTEMPTS, ...NEIGHBOUR_ATTEMPTS];
const SECRET_NAME = 'CORDON_ESCAPE_SECRET';
const secret = `s3cret-${randomBytes(8).toString('hex')}`;

describe('escape attempts against the sandbox boundary', () => {
  let sandbox: SandboxHarness;
  let loopback: TcpServer;
  let granted: HttpServer;
  let connections = 0;
  let ctx: EscapeContext;
  let realmBefore: unknown;
  const hostProtoBefore = Object.getOwnPropertyNames(Object.prototype).sort().join();

  before(async () => {
    loopback = createTcpServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
    const loopbackPort = (loopback.address() as AddressInfo).port;
    granted = createHttpServer((req, res) => {
      if (req.url === '/redirect-to-loopback') return void res.writeHead(302, { location: `http://127.0.0.1:${loopbackPort}/` }).end();
      if (req.url === '/echo-host') return void res.end(req.headers.host ?? '');
      res.end('granted');
    });
    await new Promise<void>((resolve) => granted.listen(0, '127.0.0.1', resolve));
    ctx = {
      marker: join(tmpdir(), `cordon-escape-${process.pid}-${randomBytes(4).toString('hex')}`),
      secretName: SECRET_NAME,
      loopbackPort,
      grantedOrigin: `http://127.0.0.1:${(granted.address() as AddressInfo).port}`,
    };
    // The worker's env holds the secret, as a misconfigured pool's would: the test is of the sandbox, not the env filter.
    sandbox = new SandboxHarness({ [SECRET_NAME]: secret });
    // The baseline is taken once SES is installed, the realm locked down and Node's fetch loaded (undici adds its
    // dispatcher to the worker's global), by a harmless plugin that fetches from the granted origin.
    const warmUp = await probe(sandbox, 'baseline', `return (await fetch('${ctx.grantedOrigin}/')).text();`, { capabilities: { fetch: [ctx.grantedOrigin] } });
    assert.equal(warmUp.value, 'granted');
    realmBefore = (await sandbox.send({ op: 'inspect' })).value;
  });

  after(async () => {
    await sandbox.close();
    granted.closeAllConnections();
    await Promise.all([new Promise((r) => loopback.close(r)), new Promise((r) => granted.close(r))]);
    rmSync(ctx.marker, { force: true });
    rmSync(`${ctx.marker}.spawn`, { force: true });
  });

  it('the detectors see an unsandboxed run of the same prelude (control)', async () => {
    const control = { marker: `${ctx.marker}.control`, secretName: SECRET_NAME, loopbackPort: ctx.loopbackPort, grantedOrigin: ctx.grantedOrigin };
    process.env[SECRET_NAME] = secret;
    try {
      const use = new Function(`${prelude(control)}; return use;`)() as (power: unknown) => string;
      const report = use(globalThis);
      assert.match(report, new RegExp(`ESCAPED env=${secret} file socket spawn`));
      assert.ok(existsSync(control.marker));
      assert.ok(existsSync(`${control.marker}.spawn`));
      await waitFor(() => connections > 0);
    } finally {
      delete process.env[SECRET_NAME];
      rmSync(control.marker, { force: true });
      rmSync(`${control.marker}.spawn`, { force: true });
      connections = 0;
    }
  });

  it(`holds ${ATTEMPTS.length} distinct attempts`, () => {
    assert.ok(ATTEMPTS.length >= 45);
    assert.equal(new Set(ATTEMPTS.map((a) => a.id)).size, ATTEMPTS.length);
  });

  for (const attempt of ATTEMPTS) {
    it(`${attempt.id}: ${attempt.title}`, async () => {
      const replies = await run(sandbox, attempt, ctx);
      const seen = JSON.stringify(replies);
      assert.doesNotMatch(seen, /ESCAPED/, `the plugin reports an escape: ${seen}`);
      assert.ok(!seen.includes(secret), 'the env secret reached the plugin');
      // the load reply names the plugin's file for the host; nothing the plugin itself reports may
      const reported = JSON.stringify(attempt.refusedAtLoad ? [] : replies.slice(1));
      assert.doesNotMatch(reported, /file:\/\/|\/dist\/|\/plugins\/|node_modules|node:internal/, `host paths leaked: ${reported}`);
      assert.ok(!existsSync(ctx.marker), 'a file was written');
      assert.ok(!existsSync(`${ctx.marker}.spawn`), 'a process was spawned');
      assert.equal(connections, 0, 'a loopback socket was opened');
      assert.equal(Object.getOwnPropertyNames(Object.prototype).sort().join(), hostProtoBefore, "the host's Object.prototype changed");
      assert.deepEqual((await sandbox.send({ op: 'inspect' })).value, realmBefore, "the worker's realm changed");
      if (attempt.refusedAtLoad) {
        assert.equal(replies[0]!.ok, false, 'the load was not refused');
        assert.match(replies[0]!.error!, attempt.refusedAtLoad);
        assert.match(replies[0]!.error!, new RegExp(attempt.id));
      } else {
        // an attempt that did not even load or run would pass for the wrong reason
        for (const reply of replies) assert.ok(reply.ok, `the attempt did not run: ${reply.error}`);
        if (process.env.CORDON_SHOW_ESCAPES) console.log(attempt.id, JSON.stringify(replies.slice(1).map((r) => r.value)));
      }
    });
  }

  it('no late connection reached the loopback port', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(connections, 0);
  });
});

async function run(sandbox: SandboxHarness, attempt: EscapeAttempt, ctx: EscapeContext) {
  const def = pluginDef({
    name: attempt.id,
    source: attemptSource(attempt, ctx),
    capabilities: attempt.capabilities?.(ctx) ?? {},
    envValues: { GRANTED: 'granted-value' },
    timeoutMs: 3000,
  });
  const loaded = await sandbox.send({ op: 'load', def, ...(attempt.hostCounter ? { hostCounterAs: 'counter' } : {}) });
  if (!loaded.ok) return [loaded];
  const replies = [loaded, await sandbox.call(attempt.id, 'probe', { name: 'probe', args: {} })];
  if (attempt.follower) {
    const name = `${attempt.id}-follower`;
    const follower = attempt.follower;
    replies.push(await sandbox.send({ op: 'load', def: { ...def, name, capabilities: {}, source: attemptSource({ ...attempt, body: follower }, ctx) } }));
    replies.push(await sandbox.call(name, 'probe', {}));
  }
  return replies;
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(condition(), 'the condition never held');
}
