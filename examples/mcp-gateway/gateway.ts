import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
// In an application this is `from 'cordon'`; the example imports the source so it builds with the repository.
import { PluginError, PluginManager, type PluginViolation } from '../../src/index.js';

/**
 * An MCP server that forwards every tool to an upstream MCP server, with Cordon's guardrails around each call:
 * `tool_pre_invoke` may block the call or rewrite its arguments, `tool_post_invoke` may block or rewrite the result.
 */
export function createGateway(manager: PluginManager, upstream: Client, serverId = 'upstream'): McpServer {
  const gateway = new McpServer({ name: 'cordon-gateway', version: '0.1.0' }, { capabilities: { tools: {} } });
  // A proxy forwards the upstream's tool list as it is, so it uses the low-level handlers rather than registerTool.
  gateway.server.setRequestHandler(ListToolsRequestSchema, (request) => upstream.listTools(request.params));
  gateway.server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const globalContext = { request_id: randomUUID(), server_id: serverId };
    const { name, arguments: args = {} } = request.params;

    const pre = await guard(manager.invokeHook('tool_pre_invoke', { name, args }, globalContext));
    if (!pre.result.continue_processing) throw violationError(pre.result.violation);
    // the plugins' rewrite of the call (redacted arguments), if any, is what goes upstream
    const call = (pre.result.modified_payload ?? { name, args }) as { name: string; args: Record<string, unknown> };
    const result = await upstream.callTool({ name: call.name, arguments: call.args });

    // handing back the pre hook's contexts lets a plugin carry its state from the call to its result
    const post = await guard(manager.invokeHook('tool_post_invoke', { name: call.name, result }, globalContext, { localContexts: pre.contexts }));
    if (!post.result.continue_processing) throw violationError(post.result.violation);
    return ((post.result.modified_payload as { result: CallToolResult } | null)?.result ?? result) as CallToolResult;
  });
  return gateway;
}

/**
 * An error the SDK sends as a JSON-RPC error with this code, message and data. (An McpError would have its
 * "MCP error <code>:" prefix sent as part of the message, and the client's McpError would add another.)
 * Like ContextForge, a violation is -32602 unless the plugin chose an `mcp_error_code`.
 */
class JsonRpcError extends Error {
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(message);
  }
}

function violationError(v: PluginViolation | null): JsonRpcError {
  if (!v) return new JsonRpcError(ErrorCode.InvalidParams, 'Plugin Violation: blocked by a plugin');
  return new JsonRpcError(v.mcp_error_code ?? ErrorCode.InvalidParams, `Plugin Violation: ${v.reason}`, {
    plugin_name: v.plugin_name, plugin_error_code: v.code, description: v.description, ...(v.details ? { details: v.details } : {}),
  });
}

/** A plugin that fails (in `enforce` mode) fails the call, without running the tool. */
async function guard<T>(invocation: Promise<T>): Promise<T> {
  try {
    return await invocation;
  } catch (err) {
    if (err instanceof PluginError) throw new JsonRpcError(ErrorCode.InternalError, `Plugin error: ${err.message}`, { plugin_name: err.error.plugin_name });
    throw err;
  }
}

/** `node gateway.js [config.yaml]`: serves on stdio, with the upstream started as a child process. */
async function main(): Promise<void> {
  const config = process.argv[2] ?? fileURLToPath(new URL('../../../examples/mcp-gateway/config.yaml', import.meta.url));
  const manager = new PluginManager(config);
  await manager.initialize();
  const upstream = new Client({ name: 'cordon-gateway', version: '0.1.0' });
  await upstream.connect(new StdioClientTransport({ command: process.execPath, args: [fileURLToPath(new URL('./upstream.js', import.meta.url))] }));
  const gateway = createGateway(manager, upstream);
  await gateway.connect(new StdioServerTransport());
  // the client closing our stdin (or ^C) ends the gateway, its upstream and the plugin workers, so the process exits
  const stop = async () => {
    await gateway.close();
    await Promise.allSettled([upstream.close(), manager.shutdown()]);
  };
  process.stdin.once('end', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
