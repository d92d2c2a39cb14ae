import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { formatIssue, zodIssues } from '../core/errors.js';
import { ModeSchema, OnErrorSchema } from '../core/modes.js';

/**
 * `kind: external` (fleet.md section 2): a plugin that lives on a plugin server reached over MCP. Its entry is
 * parsed here; its missing keys are filled from the server's answer at initialize() (external-plugins.ts).
 */
export const EXTERNAL_KIND = 'external';

const Strings = z.array(z.string().min(1));
const refused = (message: string) => z.undefined({ error: message }).optional();

const ClientTlsSchema = z.strictObject({
  certfile: z.string().min(1).optional(),
  keyfile: z.string().min(1).optional(),
  ca_bundle: z.string().min(1).optional(),
  keyfile_password: z.string().optional(),
  verify: z.boolean().default(true),
  check_hostname: z.boolean().default(true),
});

export const McpClientSchema = z
  .strictObject({
    proto: z.enum(['STREAMABLEHTTP', 'STDIO', 'SSE']),
    url: z.string().min(1).optional(),
    script: z.string().min(1).optional(),
    cmd: Strings.min(1).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().min(1).optional(),
    tls: ClientTlsSchema.optional(),
    reconnect_attempts: z.number().int().min(0).max(100).default(3),
    /** seconds; the n-th reconnection waits n times this */
    reconnect_delay: z.number().min(0).max(60).default(0.1),
  })
  .superRefine((mcp, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (mcp.proto === 'SSE') return issue('proto', 'SSE is not supported: use STREAMABLEHTTP (the server\'s /mcp endpoint) or STDIO');
    const http = mcp.proto === 'STREAMABLEHTTP';
    for (const key of http ? (['script', 'cmd', 'env', 'cwd'] as const) : (['url', 'tls'] as const)) {
      if (mcp[key] !== undefined) issue(key, `not used with proto ${mcp.proto}`);
    }
    if (http) {
      if (!mcp.url) return issue('url', 'STREAMABLEHTTP needs the server\'s url, like http://127.0.0.1:8000/mcp');
      let url: URL;
      try {
        url = new URL(mcp.url);
      } catch {
        return issue('url', `not a URL: ${mcp.url}`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') issue('url', 'must be an http or https URL');
      if (mcp.tls && url.protocol !== 'https:') issue('tls', 'tls needs an https url');
    } else if (!mcp.script === !mcp.cmd) {
      issue(mcp.script ? 'cmd' : 'script', 'STDIO needs exactly one of script or cmd');
    }
  });
export type McpClientConfig = z.infer<typeof McpClientSchema>;

/** The keys of an external entry that a server's config can fill when the local entry leaves them out. */
export const MERGED_KEYS = ['hooks', 'mode', 'priority', 'conditions', 'description', 'author', 'version', 'tags'] as const;

export const ExternalEntrySchema = z.strictObject({
  name: z.string().min(1),
  kind: z.literal(EXTERNAL_KIND),
  hooks: Strings.min(1).optional(),
  mode: ModeSchema.optional(),
  on_error: OnErrorSchema.optional(),
  priority: z.number().int().optional(),
  timeout: z.number().positive().optional(),
  conditions: z.array(z.record(z.string(), Strings)).optional(),
  description: z.string().optional(),
  author: z.string().optional(),
  version: z.string().optional(),
  tags: Strings.optional(),
  mcp: McpClientSchema,
  config: refused('an external plugin has no config here: its server owns it (remove config:)'),
  isolation: refused('an external plugin runs on its server, which decides its isolation (remove isolation:)'),
  capabilities: refused('an external plugin runs on its server, which grants its capabilities (remove capabilities:)'),
});
export type ExternalEntry = z.infer<typeof ExternalEntrySchema>;

/** What the manager keeps of an external entry until its server has answered. */
export interface ExternalSpec {
  mcp: McpClientConfig;
  /** the entry as written (validated), whose keys win over the server's */
  local: ExternalEntry;
  /** where a relative STDIO script or cwd resolves */
  baseDir: string;
}

export const isExternal = (raw: unknown): boolean => !!raw && typeof raw === 'object' && (raw as { kind?: unknown }).kind === EXTERNAL_KIND;

/** Resolves a STDIO server's script and cwd against the config's directory. */
export function resolvePaths(mcp: McpClientConfig, baseDir: string): McpClientConfig {
  const at = (p: string | undefined) => (p === undefined || isAbsolute(p) ? p : resolve(baseDir, p));
  const cwd = at(mcp.cwd);
  return { ...mcp, cwd, script: mcp.script === undefined ? undefined : isAbsolute(mcp.script) ? mcp.script : resolve(cwd ?? baseDir, mcp.script) };
}

/** ContextForge's serialisation of a plugin's config, as `get_plugin_config` answers it (unknown keys ignored). */
const ServerConfigSchema = z.looseObject({
  name: z.string().min(1),
  hooks: Strings.nullish(),
  mode: z.string().nullish(),
  priority: z.number().int().nullish(),
  conditions: z.array(z.record(z.string(), z.unknown())).nullish(),
  config: z.record(z.string(), z.unknown()).nullish(),
  description: z.string().nullish(),
  author: z.string().nullish(),
  version: z.string().nullish(),
  tags: Strings.nullish(),
});

/**
 * Merges a server's config under the local entry: every key the local entry sets wins, the server fills the rest.
 * Returns the merged fields (to be validated as a plugin entry) or an error line.
 */
export function mergeServerConfig(local: ExternalEntry, answer: unknown): { merged: Record<string, unknown> } | { error: string } {
  if (!answer || typeof answer !== 'object' || Object.keys(answer).length === 0) {
    return { error: 'the server has no plugin of that name (its get_plugin_config answered {})' };
  }
  const parsed = ServerConfigSchema.safeParse(answer);
  if (!parsed.success) return { error: `the server's config is invalid: ${formatIssue(zodIssues(parsed.error.issues)[0]!)}` };
  const server = parsed.data;
  if (server.name.toLowerCase() !== local.name.toLowerCase()) {
    return { error: `the server answered with the config of another plugin (${JSON.stringify(server.name.slice(0, 100))})` };
  }
  const merged: Record<string, unknown> = {};
  for (const key of MERGED_KEYS) {
    const value = local[key] ?? server[key];
    if (value !== undefined && value !== null) merged[key] = key === 'conditions' ? (value as Array<Record<string, unknown>>).map(dropNulls) : value;
  }
  // ContextForge's legacy names of the server's modes are Cordon's too; its config travels for getPlugin() only
  return { merged: { ...merged, config: server.config ?? {} } };
}

/** ContextForge serialises unset condition fields as null; Cordon's schema leaves them out. */
function dropNulls(condition: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(condition).filter(([, v]) => v !== null));
}
