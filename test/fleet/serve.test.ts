import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { serve, SERVER_CONFIG, stdioMcp, type Served } from './serve-helpers.js';

/*
 * What `cordon serve` answers, checked against ContextForge v1.0.0's models field for field (fleet.md section 3).
 * The field lists are written out here, from `mcpgateway/plugins/framework/models.py` of that release.
 */
const PLUGIN_CONFIG_FIELDS = ['name', 'description', 'author', 'kind', 'namespace', 'version', 'hooks', 'tags', 'mode', 'priority',
  'conditions', 'applied_to', 'config', 'mcp', 'grpc', 'unix_socket'];
const CONDITION_FIELDS = ['server_ids', 'tenant_ids', 'tools', 'prompts', 'resources', 'agents', 'user_patterns', 'content_types'];
const PLUGIN_RESULT_FIELDS = ['continue_processing', 'modified_payload', 'violation', 'metadata', 'http_headers', 'retry_delay_ms'];
const VIOLATION_FIELDS = ['reason', 'description', 'code', 'details', 'mcp_error_code', 'http_status_code', 'http_headers'];
const ERROR_FIELDS = ['message', 'plugin_name', 'code', 'details', 'mcp_error_code'];
const CONTEXT_FIELDS = ['state', 'global_context', 'metadata'];

const sorted = (o: object) => Object.keys(o).sort();
const textOf = (reply: unknown) => JSON.parse((reply as { content: Array<{ text: string }> }).content[0]!.text) as Record<string, any>;

const global = (actions: Record<string, unknown>) => ({ request_id: 'r1', server_id: 's1', state: {}, metadata: { script: { s: actions } } });
const invokeArgs = (actions: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  hook_type: 'tool_pre_invoke', plugin_name: 'Scripted', payload: { name: 'scripted_tool', args: { a: 1 } },
  context: { state: {}, metadata: {}, global_context: global(actions) }, ...over,
});

function checkTools(connect: () => Promise<Client>) {
  let client: Client;
  before(async () => {
    client = await connect();
  });
  after(() => client?.close());
  const call = async (name: string, args: Record<string, unknown>) => textOf(await client.callTool({ name, arguments: args }));

  test('tools/list: the three tools, none with an outputSchema', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['get_plugin_config', 'get_plugin_configs', 'invoke_hook']);
    for (const tool of tools) assert.equal(tool.outputSchema, undefined, tool.name);
  });

  test('get_plugin_config: PluginConfig, matched case-insensitively, legacy mode names; {} when there is none', async () => {
    const config = await call('get_plugin_config', { name: 'SCRIPTED' });
    assert.deepEqual(sorted(config), [...PLUGIN_CONFIG_FIELDS].sort());
    assert.deepEqual(config, {
      name: 'Scripted', description: 'the scripted test plugin', author: 'cordon tests', kind: './scripted.js', namespace: null,
      version: '1.0', hooks: ['tool_pre_invoke', 'tool_post_invoke', 'prompt_pre_fetch'], tags: ['test'], mode: 'enforce', priority: 7,
      conditions: [{ server_ids: ['s1'], tenant_ids: null, tools: ['scripted_tool'], prompts: null, resources: null, agents: null, user_patterns: null, content_types: null }],
      applied_to: null, config: { tag: 's' }, mcp: null, grpc: null, unix_socket: null,
    });
    assert.deepEqual(sorted(config.conditions[0]!), [...CONDITION_FIELDS].sort());
    assert.equal((await call('get_plugin_config', { name: 'perm' })).mode, 'permissive', 'transform is served as permissive');
    assert.equal((await call('get_plugin_config', { name: 'm_audit' })).mode, 'enforce', 'sequential is served as enforce');
    assert.equal((await call('get_plugin_config', { name: 'ignoring' })).mode, 'enforce_ignore_error');
    assert.deepEqual(await call('get_plugin_config', { name: 'off' }), {}, 'a disabled plugin is not served');
    assert.deepEqual(await call('get_plugin_config', { name: 'nobody' }), {});
  });

  test('get_plugin_configs: one text content per enabled plugin, and structuredContent.result', async () => {
    const reply = await client.callTool({ name: 'get_plugin_configs', arguments: {} }) as unknown as { content: Array<{ text: string }>; structuredContent: { result: unknown[] } };
    assert.equal(reply.content.length, 19);
    assert.deepEqual(reply.content.map((c) => JSON.parse(c.text)), reply.structuredContent.result);
    assert.ok(!reply.content.some((c) => JSON.parse(c.text).name === 'off'));
  });

  test('invoke_hook: a result has every PluginResult field, nulls included; no context when it is empty', async () => {
    const reply = await call('invoke_hook', invokeArgs({ trail: true }));
    assert.deepEqual(sorted(reply), ['plugin_name', 'result']);
    assert.deepEqual(reply, {
      plugin_name: 'Scripted',
      result: {
        continue_processing: true, modified_payload: { name: 'scripted_tool', args: { a: 1, trail: ['s'] } }, violation: null,
        metadata: { ran_s: true }, http_headers: null, retry_delay_ms: 0,
      },
    });
  });

  test("invoke_hook: a plugin's http_headers are served as the result's", async () => {
    const reply = await call('invoke_hook', invokeArgs({ http_headers: { 'X-RateLimit-Limit': '10' } }));
    assert.deepEqual(reply.result.http_headers, { 'X-RateLimit-Limit': '10' });
  });

  test('invoke_hook: a block carries a PluginViolation without its plugin_name, and the context comes back', async () => {
    const reply = await call('invoke_hook', invokeArgs({ block: { reason: 'r', description: 'd', code: 'C' }, local: { k: 1 }, global_state: { g: 2 } }));
    assert.deepEqual(sorted(reply), ['context', 'plugin_name', 'result']);
    assert.deepEqual(sorted(reply.result), [...PLUGIN_RESULT_FIELDS].sort());
    assert.deepEqual(reply.result.violation, { reason: 'r', description: 'd', code: 'C', details: {}, mcp_error_code: null, http_status_code: null, http_headers: null });
    assert.deepEqual(sorted(reply.result.violation), [...VIOLATION_FIELDS].sort());
    assert.equal(reply.result.continue_processing, false);
    assert.deepEqual(sorted(reply.context), [...CONTEXT_FIELDS].sort());
    assert.deepEqual(reply.context.state, { k: 1 });
    assert.deepEqual(reply.context.global_context.state, { g: 2 });
    assert.equal(reply.context.global_context.request_id, 'r1');
  });

  test('invoke_hook: a failure is a PluginErrorModel envelope', async () => {
    const reply = await call('invoke_hook', invokeArgs({ throw: 'boom' }));
    assert.deepEqual(reply, {
      plugin_name: 'Scripted', error: { message: 'boom', plugin_name: 'Scripted', code: 'PLUGIN_ERROR', details: { name: 'Error' }, mcp_error_code: -32603 },
    });
    assert.deepEqual(sorted(reply.error), [...ERROR_FIELDS].sort());
  });

  test('bad input never reaches a plugin: a clear error envelope, and the server stays up', async () => {
    const bad = await call('invoke_hook', invokeArgs({ throw: 'must not run' }, { payload: { name: 5, args: {} } }));
    assert.equal(bad.error.code, 'INVALID_PAYLOAD');
    assert.match(bad.error.message, /name/);
    const args = await call('invoke_hook', { hook_type: 'tool_pre_invoke', plugin_name: 'Scripted', payload: {} });
    assert.equal(args.error.code, 'INVALID_ARGUMENTS');
    assert.match(args.error.message, /context/);
    const ctx = await call('invoke_hook', invokeArgs({}, { context: { global_context: { no_request_id: true } } }));
    assert.equal(ctx.error.code, 'INVALID_PAYLOAD');
    assert.match(ctx.error.message, /global_context\.request_id/);
    const unknown = await call('invoke_hook', invokeArgs({}, { plugin_name: 'nobody' }));
    assert.equal(unknown.error.code, 'UNKNOWN_PLUGIN');
    const hook = await call('invoke_hook', invokeArgs({}, { hook_type: 'agent_pre_invoke' }));
    assert.equal(hook.error.code, 'NOT_IMPLEMENTED');
    assert.equal(hook.error.mcp_error_code, -32603);
    await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), /unknown tool/);
    assert.equal((await call('invoke_hook', invokeArgs({}))).result.continue_processing, true);
  });
}

describe('cordon serve over streamable HTTP', () => {
  let server: Served;
  before(async () => {
    server = await serve([SERVER_CONFIG, '--port', '0']);
  });
  after(() => server?.stop());

  describe('tools', () => checkTools(async () => {
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    return client;
  }));

  test('GET /health', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/health`);
    assert.deepEqual([res.status, await res.json()], [200, { status: 'healthy' }]);
  });

  test('an unknown session is 404; a request with no session that is not an initialize is 400', async () => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const unknown = await fetch(server.url, { method: 'POST', headers: { ...headers, 'mcp-session-id': 'no-such-session' }, body });
    assert.equal(unknown.status, 404);
    assert.equal((await fetch(server.url, { method: 'POST', headers, body })).status, 400);
    assert.equal((await fetch(server.url, { method: 'POST', headers, body: '{not json' })).status, 400);
  });

  test('a closed session is 404 afterwards', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(server.url));
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(transport);
    const id = transport.sessionId!;
    await transport.terminateSession();
    const res = await fetch(server.url, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': id },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    assert.equal(res.status, 404);
    await client.close();
  });

  test('DNS rebinding: a loopback server refuses a foreign Host or Origin', async () => {
    const { request } = await import('node:http');
    const status = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: server.port, path: '/health', headers }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject).end();
    });
    assert.equal(await status({ host: 'evil.example' }), 403);
    assert.equal(await status({ host: `localhost:${server.port}`, origin: 'http://evil.example' }), 403);
    assert.equal(await status({ host: `localhost:${server.port}` }), 200);
  });
});

describe('cordon serve over stdio', () => {
  checkTools(async () => {
    const [command, ...args] = stdioMcp().cmd;
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(new StdioClientTransport({ command: command!, args, stderr: 'ignore' }), { timeout: 60_000 });
    return client;
  });
});
