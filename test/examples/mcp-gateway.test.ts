import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createGateway } from '../../examples/mcp-gateway/gateway.js';
import { createUpstream, type Upstream } from '../../examples/mcp-gateway/upstream.js';
import { PluginManager } from '../../src/index.js';

const CONFIG = fileURLToPath(new URL('../../../examples/mcp-gateway/config.yaml', import.meta.url));
const GATEWAY = fileURLToPath(new URL('../../examples/mcp-gateway/gateway.js', import.meta.url));

/** client -> gateway -> upstream, both hops over the SDK's in-memory transport, with real plugin workers. */
let manager: PluginManager;
let upstream: Upstream;
let client: Client;
const closers: Array<() => Promise<unknown>> = [];

before(async () => {
  manager = new PluginManager(CONFIG);
  await manager.initialize();
  upstream = createUpstream();
  const [upstreamSide, gatewayToUpstream] = InMemoryTransport.createLinkedPair();
  await upstream.server.connect(upstreamSide);
  const upstreamClient = new Client({ name: 'gateway', version: '0' });
  await upstreamClient.connect(gatewayToUpstream);
  const gateway = createGateway(manager, upstreamClient);
  const [gatewaySide, clientSide] = InMemoryTransport.createLinkedPair();
  await gateway.connect(gatewaySide);
  client = new Client({ name: 'test', version: '0' });
  await client.connect(clientSide);
  closers.push(() => client.close(), () => gateway.close(), () => upstreamClient.close(), () => upstream.server.close(), () => manager.shutdown());
});

after(async () => {
  for (const close of closers) await close();
});

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

test('the gateway lists the upstream tools', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ['read_file', 'send_email']);
  assert.deepEqual(tools.find((t) => t.name === 'send_email')?.inputSchema.required, ['to', 'body']);
});

test('a clean call passes through unchanged', async () => {
  const result = await client.callTool({ name: 'read_file', arguments: { path: 'handbook.md' } });
  assert.equal(text(result), '# Team handbook\nDeploys go out on Tuesdays and Thursdays. Ask in #ops before a hotfix.\n');
});

test('emails in a tool result are redacted before the client sees them', async () => {
  const result = await client.callTool({ name: 'read_file', arguments: { path: 'contacts.txt' } });
  assert.equal(text(result), 'On call this week: Priya Raman <[email]>\nEscalations: [email]\n');
});

test('redacted arguments are what the upstream receives; the kept recipient is untouched', async () => {
  const before = upstream.outbox.length;
  const result = await client.callTool({
    name: 'send_email',
    arguments: { to: 'dana@example.com', body: 'Loop in priya.raman@example.com on the refund.' },
  });
  assert.deepEqual(upstream.outbox.slice(before), [{ to: 'dana@example.com', body: 'Loop in [email] on the refund.' }]);
  // the upstream's reply names the recipient, and the result hook redacts it on the way back
  assert.equal(text(result), `Queued message #${before + 1} to [email]`);
});

test('a denied call is refused with an MCP error carrying the violation, and never reaches the upstream', async () => {
  const before = upstream.outbox.length;
  const call = client.callTool({ name: 'send_email', arguments: { to: 'dana@example.com', body: 'The admin password is hunter2' } });
  await assert.rejects(call, (err: unknown) => {
    assert.ok(err instanceof McpError);
    assert.equal(err.code, -32602);
    assert.equal(err.message, 'MCP error -32602: Plugin Violation: Denied word in tool arguments');
    assert.deepEqual(err.data, { plugin_name: 'deny_list', plugin_error_code: 'DENY_LIST', description: 'send_email arguments mention "password"' });
    return true;
  });
  assert.equal(upstream.outbox.length, before);
});

test('run as a process, the gateway serves stdio and starts its upstream itself', async () => {
  const stdio = new Client({ name: 'test-stdio', version: '0' });
  await stdio.connect(new StdioClientTransport({ command: process.execPath, args: [GATEWAY, CONFIG], stderr: 'pipe' }));
  try {
    const result = await stdio.callTool({ name: 'read_file', arguments: { path: 'contacts.txt' } });
    assert.match(text(result), /Priya Raman <\[email\]>/);
    await assert.rejects(stdio.callTool({ name: 'read_file', arguments: { path: 'private key.pem' } }), /Plugin Violation/);
  } finally {
    await stdio.close();
  }
});
