import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError, PluginError, PluginManager, type ConfigInput } from '../../src/index.js';
import { captureLogger, freePort } from '../helpers.js';
import { httpMcp, rogueHttp, rogueStdio, serve, SERVER_CONFIG, type Served } from './serve-helpers.js';

/*
 * A plugin server is not trusted: whatever it does (down, dying, hanging, garbage, a huge reply, an error envelope,
 * someone else's config) is that plugin's failure, decided by its mode, and the manager stays up. Nothing that did
 * not validate is merged.
 */
type Entry = NonNullable<ConfigInput['plugins']>[number];
const external = (name: string, mcp: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ name, kind: 'external', hooks: ['tool_pre_invoke'], timeout: 30, mcp, ...extra }) as Entry;
const config = (plugins: Entry[]): ConfigInput => ({ plugins });
const call = (manager: PluginManager, global: Record<string, unknown> = {}) =>
  manager.invokeHook('tool_pre_invoke', { name: 'tool', args: { a: 1 } }, { request_id: 'r1', ...global });

async function failure(promise: Promise<unknown>): Promise<PluginError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  assert.ok(err instanceof PluginError, `expected a PluginError, got ${String(err)}`);
  return err;
}

describe('config of an external entry', () => {
  const load = (entry: Record<string, unknown>) => new PluginManager(config([entry as Entry])).initialize();
  const mcp = { proto: 'STREAMABLEHTTP', url: 'http://127.0.0.1:1/mcp' };
  for (const [what, entry, path] of [
    ['config', { config: { a: 1 } }, /plugins\[0\]\.config: an external plugin has no config here/],
    ['isolation', { isolation: 'worker' }, /plugins\[0\]\.isolation: an external plugin runs on its server/],
    ['SSE', { mcp: { proto: 'SSE', url: 'http://x/sse' } }, /plugins\[0\]\.mcp\.proto: SSE is not supported/],
    ['no url', { mcp: { proto: 'STREAMABLEHTTP' } }, /plugins\[0\]\.mcp\.url: STREAMABLEHTTP needs/],
    ['script and cmd', { mcp: { proto: 'STDIO', script: 'a.sh', cmd: ['node'] } }, /exactly one of script or cmd/],
    ['an unknown key', { mcp: { ...mcp, retries: 3 } }, /plugins\[0\]\.mcp: Unrecognized key: "retries"/],
  ] as const) {
    test(`${what} is a config error`, async () => {
      const err = await load({ name: 'x', kind: 'external', mcp, ...entry }).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof ConfigError, String(err));
      assert.match(err.message, path);
    });
  }
});

describe('a server that is down at initialize()', () => {
  test('fails initialize() naming the plugin and the URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}/mcp`;
    const err = await failure(new PluginManager(config([external('pii', httpMcp(url))])).initialize());
    assert.match(err.message, /^Plugin pii failed to load: plugin server http:\/\/127\.0\.0\.1:\d+\/mcp: the server cannot be used/);
  });

  test('with on_error: disable the manager starts without it; enablePlugin() tries again once it is up', async () => {
    const port = await freePort();
    const logger = captureLogger();
    const manager = new PluginManager(config([external('Scripted', httpMcp(`http://127.0.0.1:${port}/mcp`), { on_error: 'disable', hooks: undefined })]), { logger });
    await manager.initialize();
    let server: Served | undefined;
    try {
      assert.deepEqual(manager.disabledPlugins, ['Scripted']);
      assert.match(logger.text('warn'), /Plugin Scripted failed to load: .* stays disabled until enablePlugin/);
      assert.deepEqual((await call(manager)).result.metadata, {}, 'not run while disabled');
      await assert.rejects(manager.enablePlugin('Scripted'), /Plugin Scripted failed to load: .*cannot be used/);
      server = await serve([SERVER_CONFIG, '--port', String(port)]);
      assert.equal(await manager.enablePlugin('Scripted'), true);
      assert.deepEqual(manager.disabledPlugins, []);
      assert.equal(manager.getPlugin('Scripted')?.priority, 7, 'the server\'s config is merged now');
      const { result } = await call(manager, { server_id: 's1' });
      assert.equal(result.metadata.ran_s, undefined, 'the server\'s conditions apply: the tool is not scripted_tool');
      const run = await manager.invokeHook('tool_pre_invoke', { name: 'scripted_tool', args: {} }, { request_id: 'r2', server_id: 's1' });
      assert.equal(run.result.metadata.ran_s, true);
    } finally {
      await manager.shutdown();
      await server?.stop();
    }
  });
});

describe('a server that dies and comes back', () => {
  test('a dead server is a failure naming it; once it is back on the same port the call reconnects (404 on the old session)', async () => {
    const port = await freePort();
    let server = await serve([SERVER_CONFIG, '--port', String(port)]);
    const manager = new PluginManager(config([external('m_sequential', httpMcp(server.url), { mcp: { ...httpMcp(server.url), reconnect_delay: 0.05 } })]));
    try {
      await manager.initialize();
      assert.equal((await call(manager)).result.metadata.ran_s, true);
      await server.stop();
      const err = await failure(call(manager));
      assert.equal(err.error.code, 'PLUGIN_ERROR');
      assert.match(err.message, /Plugin m_sequential failed on tool_pre_invoke: plugin server http:\/\/127\.0\.0\.1:\d+\/mcp: could not reconnect after 3 attempts/);
      server = await serve([SERVER_CONFIG, '--port', String(port)]);
      assert.equal((await call(manager)).result.metadata.ran_s, true, 'reconnected to the new server');
    } finally {
      await manager.shutdown();
      await server.stop();
    }
  });
});

for (const [transport, start] of [
  ['stdio', async () => ({ mcp: rogueStdio(), stop: async () => {} })],
  ['HTTP', async () => {
    const rogue = await rogueHttp();
    return { mcp: httpMcp(rogue.url), stop: rogue.stop };
  }],
] as const) {
  describe(`a rogue server over ${transport}`, () => {
    let manager: PluginManager;
    let stop: () => Promise<void>;
    const names = ['garbage', 'huge', 'envelope', 'badshape', 'neither', 'sneaky', 'die', 'fine'];
    before(async () => {
      const rogue = await start();
      stop = rogue.stop;
      manager = new PluginManager(config(names.map((name, i) => external(name, rogue.mcp, { priority: i, conditions: [{ tools: [name] }] }))));
      await manager.initialize();
    });
    after(async () => {
      await manager?.shutdown();
      await stop?.();
    });
    const callTool = (name: string, global: { request_id: string } & Record<string, unknown> = { request_id: 'r1' }) =>
      manager.invokeHook('tool_pre_invoke', { name, args: { a: 1 } }, global);

    test('its config is merged under the local entry', () => {
      assert.deepEqual(manager.getPlugin('fine')?.config, { from: 'server' });
      assert.equal(manager.getPlugin('fine')?.priority, 7, 'the local priority wins');
    });

    for (const [name, code, message] of [
      ['garbage', 'INVALID_RESULT', /the server's reply is not JSON/],
      ['huge', 'INVALID_RESULT', /over the limit of 10000000 bytes/],
      ['envelope', 'PLUGIN_ERROR', /^Plugin envelope failed on tool_pre_invoke: remote says no$/],
      ['badshape', 'INVALID_RESULT', /continue_processing/],
      ['neither', 'INVALID_RESULT', /neither a result nor an error/],
      // a STDIO server that dies is started again for the next call (an HTTP one that dies: see above)
      ...(transport === 'stdio' ? [['die', 'PLUGIN_ERROR', /plugin server .*(Connection closed|could not reconnect)/] as const] : []),
    ] as const) {
      test(`${name}: a failure of that plugin (${code}), and the manager goes on`, async () => {
        const err = await failure(callTool(name));
        assert.equal(err.error.code, code);
        assert.match(err.message, message);
        if (name === 'envelope') assert.deepEqual(err.error.details, { a: 1 });
        assert.equal((await callTool('fine')).result.metadata.ok, true);
      });
    }

    test('what it sends back is filtered and merged by the rules, nothing more', async () => {
      const global = { request_id: 'r1', state: { before: 1 }, metadata: { keep: 1 } };
      const { result, contexts } = await callTool('sneaky', global);
      assert.deepEqual(result.modified_payload, { name: 'sneaky', args: { changed: true } }, 'not_writable is filtered out');
      assert.deepEqual(result.metadata, { seen: true }, 'runtime keys are dropped');
      assert.deepEqual(global.state, { before: 1, taken: 1 }, 'global_context.state is taken back');
      assert.deepEqual(global.metadata, { keep: 1 }, 'global_context.metadata is not');
      const local = Object.values(contexts!)[0]!;
      assert.deepEqual(local.state, { local: 1 });
      assert.equal(Object.getPrototypeOf(local.state), Object.prototype);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });
}

describe('a server that answers for another plugin, or for none', () => {
  for (const [name, message] of [['other', /the config of another plugin \("someone_else"\)/], ['empty', /has no plugin of that name/]] as const) {
    test(`${name}: initialize() fails naming the plugin and the server`, async () => {
      const err = await failure(new PluginManager(config([external(name, rogueStdio())])).initialize());
      assert.match(err.message, new RegExp(`^Plugin ${name} failed to load: plugin server .*rogue-server\\.mjs: `));
      assert.match(err.message, message);
    });
  }
});
