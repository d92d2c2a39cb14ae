import { z } from 'zod';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { firstIssue, PayloadValidationError, PluginError } from '../core/errors.js';
import { safeText } from '../core/failures.js';
import { modeRules, type RunnableMode } from '../core/modes.js';
import { JsonObject, type PluginContext, type PluginResult } from '../core/schemas.js';
import type { PluginEntry, ResolvedConfig } from './config.js';
import type { PluginManager } from './manager.js';

/**
 * The three tools of ContextForge's external-plugin protocol (fleet.md section 3), answered from a PluginManager:
 * `get_plugin_configs`, `get_plugin_config {name}` and `invoke_hook {hook_type, plugin_name, payload, context}`.
 * The shapes are ContextForge v1.0.0's models (`PluginConfig`, `PluginResult`, `PluginViolation`,
 * `PluginErrorModel`) as pydantic serialises them: every field present, unset ones null.
 */

const InvokeArgs = z.strictObject({
  hook_type: z.string().min(1),
  plugin_name: z.string().min(1),
  payload: JsonObject,
  context: z.looseObject({ state: JsonObject.optional(), metadata: JsonObject.optional(), global_context: JsonObject }),
});

const CONDITION_KEYS = ['server_ids', 'tenant_ids', 'tools', 'prompts', 'resources', 'agents', 'user_patterns', 'content_types'] as const;

const TOOLS = [
  { name: 'get_plugin_configs', description: 'The configs of every plugin this server runs.', inputSchema: { type: 'object', properties: {} } },
  {
    name: 'get_plugin_config', description: 'The config of one plugin, matched case-insensitively; {} when there is none.',
    inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  },
  {
    name: 'invoke_hook', description: 'Runs one plugin on one hook and returns its result, or its error.',
    inputSchema: {
      type: 'object',
      properties: { hook_type: { type: 'string' }, plugin_name: { type: 'string' }, payload: { type: 'object' }, context: { type: 'object' } },
      required: ['hook_type', 'plugin_name', 'payload', 'context'],
    },
  },
];

export class PluginTools {
  private readonly names: string[];

  constructor(private readonly manager: PluginManager, config: ResolvedConfig) {
    this.names = config.plugins.filter((p) => p.mode !== 'disabled').map((p) => p.name);
  }

  /** A new MCP server answering the tools (one per session: the SDK binds a server to one transport). */
  async server(): Promise<Server> {
    const [{ Server }, types] = await Promise.all([import('@modelcontextprotocol/sdk/server/index.js'), import('@modelcontextprotocol/sdk/types.js')]);
    const server = new Server({ name: 'cordon plugin server', version: '0.1.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(types.ListToolsRequestSchema, () => ({ tools: TOOLS }));
    server.setRequestHandler(types.CallToolRequestSchema, async (request, extra) => {
      const args = request.params.arguments ?? {};
      switch (request.params.name) {
        case 'get_plugin_configs': {
          const configs = this.names.map((name) => this.configOf(name)!);
          return { content: configs.map((c) => text(c)), structuredContent: { result: configs } };
        }
        case 'get_plugin_config': {
          const name = typeof args.name === 'string' ? args.name.toLowerCase() : null;
          const match = this.names.find((n) => n.toLowerCase() === name);
          return { content: [text(match ? this.configOf(match) : {})] };
        }
        case 'invoke_hook':
          return { content: [text(await this.invoke(args, extra.signal))] };
        default:
          throw new types.McpError(types.ErrorCode.InvalidParams, `unknown tool ${safeText(request.params.name, 100)}`);
      }
    });
    return server;
  }

  /**
   * ContextForge's `PluginConfig` of an enabled plugin, legacy mode names included; an entry written with a
   * ContextForge class path is answered with that class path and its config as written.
   */
  configOf(name: string): Record<string, unknown> | null {
    const entry = this.manager.getPlugin(name);
    if (!entry) return null;
    return {
      name: entry.name, description: entry.description ?? null, author: entry.author ?? null, kind: entry.written?.kind ?? entry.kind, namespace: null,
      version: entry.version ?? null, hooks: entry.hooks, tags: entry.tags ?? [], mode: legacyMode(entry), priority: entry.priority,
      conditions: entry.conditions.map((c) => Object.fromEntries(CONDITION_KEYS.map((k) => [k, c[k] ?? null]))),
      applied_to: null, config: entry.written?.config ?? entry.config, mcp: null, grpc: null, unix_socket: null,
    };
  }

  /** One `invoke_hook` call: its reply, a result or an error envelope; nothing the caller sends escapes as a throw. */
  async invoke(raw: unknown, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const pluginName = typeof (raw as { plugin_name?: unknown })?.plugin_name === 'string' ? (raw as { plugin_name: string }).plugin_name : '';
    const parsed = InvokeArgs.safeParse(raw);
    if (!parsed.success) return errorReply(pluginName, `invalid invoke_hook arguments: ${firstIssue(parsed.error.issues)}`, 'INVALID_ARGUMENTS');
    const { hook_type: hook, plugin_name: name, payload, context } = parsed.data;
    const entry = this.manager.getPlugin(name);
    if (!entry) return errorReply(name, `Unknown plugin ${safeText(name, 200)}`, 'UNKNOWN_PLUGIN');
    if (!entry.hooks.includes(hook)) return errorReply(name, `Plugin ${name} is not configured for hook ${safeText(hook, 200)}`, 'NOT_IMPLEMENTED');
    const pluginContext = { ...context, state: context.state ?? {}, metadata: context.metadata ?? {} } as PluginContext;
    try {
      // a caller that cancels (its timeout fired) stops the plugin here too, freeing its worker at once
      const result = await this.manager.invokeHookForPlugin(name, hook, payload, pluginContext, { signal });
      const reply: Record<string, unknown> = { plugin_name: name, result: resultReply(result) };
      const global = pluginContext.global_context;
      if (Object.keys(pluginContext.state).length || Object.keys(pluginContext.metadata).length || Object.keys(global.state ?? {}).length) {
        reply.context = { state: pluginContext.state, global_context: global, metadata: pluginContext.metadata };
      }
      return reply;
    } catch (err) {
      if (err instanceof PluginError) return errorReply(name, ownMessage(name, hook, err.error.message), err.error.code ?? '', err.error.details);
      if (err instanceof PayloadValidationError) return errorReply(name, err.message, 'INVALID_PAYLOAD');
      return errorReply(name, safeText(String((err as Error)?.message ?? err)), 'PLUGIN_ERROR');
    }
  }
}

/** ContextForge v1.0.0 knows enforce, enforce_ignore_error and permissive: each Cordon mode as the nearest of them. */
function legacyMode(entry: PluginEntry): string {
  const rules = modeRules(entry.mode as RunnableMode, entry.on_error, false);
  if (!rules.mayBlock) return 'permissive';
  return rules.onError === 'fail' ? 'enforce' : 'enforce_ignore_error';
}

/** `PluginResult` with its `PluginViolation`; the violation's plugin_name is left to the caller to set. */
function resultReply(result: PluginResult): Record<string, unknown> {
  const v = result.violation;
  return {
    continue_processing: result.continue_processing,
    modified_payload: result.modified_payload ?? null,
    violation: v ? {
      reason: v.reason, description: v.description, code: v.code, details: v.details ?? {}, mcp_error_code: v.mcp_error_code ?? null,
      http_status_code: (v as { http_status_code?: unknown }).http_status_code ?? null, http_headers: (v as { http_headers?: unknown }).http_headers ?? null,
    } : null,
    metadata: result.metadata,
    http_headers: result.http_headers ?? null,
    retry_delay_ms: 0,
  };
}

/** `PluginErrorModel`. */
function errorReply(pluginName: string, message: string, code: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { plugin_name: pluginName, error: { message, plugin_name: pluginName, code, details: details ?? {}, mcp_error_code: -32603 } };
}

/**
 * The failure's own message, without the "Plugin <name> failed on <hook>: " the manager puts in front: the calling
 * manager adds that itself, so an external plugin's error reads exactly like a local one's.
 */
function ownMessage(name: string, hook: string, message: string): string {
  const prefix = `Plugin ${name} failed on ${hook}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

const text = (value: unknown) => ({ type: 'text' as const, text: JSON.stringify(value) });
