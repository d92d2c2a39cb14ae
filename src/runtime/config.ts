/** The config's schemas and types: what a YAML file or config object may say (config-loader.ts reads one). */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ModeSchema, OnErrorSchema } from '../core/modes.js';
import { CapabilitiesSchema } from '../core/capabilities.js';
import { IsolationSchema, type Isolation } from '../core/isolation.js';
import { storeNameIssue, StoreSettingsSchema } from './store-config.js';
import { ExternalEntrySchema, isExternal, type ExternalSpec } from './external-config.js';

/** `external` is not written by users: it is the level of a `kind: external` entry, whose code runs on its server. */
const LocalIsolationSchema = IsolationSchema.exclude(['external']);

const Strings = z.array(z.string().min(1));

export const ConditionSchema = z.strictObject({
  server_ids: Strings.optional(),
  tenant_ids: Strings.optional(),
  user_patterns: Strings.optional(),
  tools: Strings.optional(),
  prompts: Strings.optional(),
  resources: Strings.optional(),
  agents: Strings.optional(),
  content_types: Strings.optional(),
});
export type Condition = z.infer<typeof ConditionSchema>;

export const PluginEntrySchema = z.strictObject({
  name: z.string().min(1),
  kind: z.string().min(1),
  hooks: z.array(z.string().min(1)).min(1),
  mode: ModeSchema.default('enforce'),
  /** what a failure costs; default from the mode */
  on_error: OnErrorSchema.optional(),
  priority: z.number().int().default(100),
  /** seconds; overrides plugin_settings.plugin_timeout for this plugin */
  timeout: z.number().positive().optional(),
  isolation: LocalIsolationSchema.default('sandbox'),
  conditions: z.array(ConditionSchema).default([]),
  config: z.record(z.string(), z.unknown()).default({}),
  capabilities: CapabilitiesSchema.default({ fetch: [], env: [], clock: false, random: false, store: false }),
  // descriptive ContextForge fields, accepted so its configs load unchanged
  description: z.string().optional(),
  author: z.string().optional(),
  version: z.string().optional(),
  tags: Strings.optional(),
});
export type PluginEntry = Omit<z.infer<typeof PluginEntrySchema>, 'isolation'> & {
  isolation: Isolation;
  /** set on `kind: external` entries only */
  external?: ExternalSpec;
  /**
   * set on entries whose kind was a ContextForge class path: the kind and config as the file wrote them, before the
   * bundled equivalent took their place. `cordon serve` answers with these, as ContextForge's plugin server does.
   */
  written?: WrittenEntry;
};
export interface WrittenEntry {
  kind: string;
  config: Record<string, unknown>;
}

/**
 * A `kind: external` entry, parsed with its own schema and given the shape of a local entry; the keys it leaves
 * out are filled from its server at initialize().
 */
const PluginItemSchema = z.unknown().transform((raw, ctx): PluginEntry => {
  if (!isExternal(raw)) return parseInto(PluginEntrySchema, raw, ctx) as PluginEntry;
  const local = parseInto(ExternalEntrySchema, raw, ctx);
  const conditions = parseInto(z.array(ConditionSchema).default([]), local?.conditions, ctx, ['conditions']);
  if (!local || !conditions) return z.NEVER;
  const { mcp, config: _, isolation: __, capabilities: ___, ...keys } = local;
  return {
    ...keys, hooks: local.hooks ?? [], mode: local.mode ?? 'enforce', priority: local.priority ?? 100, conditions, config: {},
    isolation: 'external', capabilities: CapabilitiesSchema.parse({}), external: { mcp, local, baseDir: '' },
  };
});

function parseInto<T extends z.ZodType>(schema: T, raw: unknown, ctx: z.RefinementCtx, prefix: PropertyKey[] = []): z.infer<T> | undefined {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [...prefix, ...issue.path] } as never);
  return undefined;
}

const defaultThreads = Math.max(1, Math.min(4, availableParallelism()));

export const PluginSettingsSchema = z.strictObject({
  plugin_timeout: z.number().positive().default(30),
  fail_on_plugin_error: z.boolean().default(false),
  /** the caller's payload, before any plugin runs */
  max_payload_bytes: z.number().int().positive().default(1_000_000),
  /** what one plugin returns, measured on what it contributed (src/core/result-size.ts) */
  max_result_bytes: z.number().int().positive().default(10_000_000),
  default_hook_policy: z.enum(['allow', 'deny']).default('deny'),
  /** worker threads per pool */
  threads: z.number().int().positive().max(64).default(defaultThreads),
  /**
   * V8 old-generation heap limit of each worker, MB. Kept well above worker_rss_growth_mb: at the heap limit some
   * allocation shapes abort the whole process (nodejs/node#47224), so the watchdog should stop a bomb first.
   */
  worker_heap_mb: z.number().int().min(16).default(2048),
  /**
   * how far the host process's resident memory may grow, MB, while one worker task runs; past it the task's worker
   * is terminated (OUT_OF_MEMORY). Counts ArrayBuffers too. 0 turns the watchdog off.
   */
  worker_rss_growth_mb: z.number().int().min(0).default(512),
  /** V8 young-generation limit of each worker, MB */
  worker_young_heap_mb: z.number().int().min(1).default(32),
  /** stack of each worker thread, MB */
  worker_stack_mb: z.number().int().min(1).max(64).default(4),
  /** child processes per `isolation: process` pool; each costs a Node process (~60 MB, 0.1-0.4 s to start) */
  processes: z.number().int().positive().max(64).default(Math.min(2, defaultThreads)),
  /**
   * V8 heap limit (--max-old-space-size) of each plugin process, MB. Above process_rss_mb on purpose: near its heap
   * limit V8 spends seconds in last-resort GCs before it aborts, while the resident-memory limit kills at once. It
   * is the backstop where /proc cannot be read.
   */
  process_heap_mb: z.number().int().min(16).default(1024),
  /**
   * resident memory limit of each plugin process, MB, read from /proc every 10 ms while it runs a task; past it the
   * process is SIGKILLed (OUT_OF_MEMORY). Counts what V8's heap limit does not (ArrayBuffers).
   */
  process_rss_mb: z.number().int().min(32).default(512),
  /** where plugins' shared state lives: in this manager's memory (the default) or in Redis, shared by a fleet */
  store: StoreSettingsSchema.default({ kind: 'memory' }),
  // ContextForge settings with no meaning here, accepted so its configs load unchanged
  parallel_execution_within_band: z.boolean().optional(),
  enable_plugin_api: z.boolean().optional(),
  plugin_health_check_interval: z.number().optional(),
  /** ContextForge's gateway puts the user object in the global context when set; a Cordon caller passes `user` itself */
  include_user_info: z.boolean().optional(),
});
export type PluginSettings = z.infer<typeof PluginSettingsSchema>;

/** Where `cordon serve` listens (ContextForge's `server_settings`); flags and environment variables override it. */
export const ServerSettingsSchema = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  tls: z.strictObject({
    certfile: z.string().min(1).optional(),
    keyfile: z.string().min(1).optional(),
    ca_bundle: z.string().min(1).optional(),
    keyfile_password: z.string().optional(),
  }).optional(),
});
export type ServerSettings = z.infer<typeof ServerSettingsSchema>;

export const ConfigSchema = z
  .strictObject({
    plugin_dirs: Strings.default([]),
    server_settings: ServerSettingsSchema.optional(),
    plugin_settings: PluginSettingsSchema.default(PluginSettingsSchema.parse({})),
    plugins: z.array(PluginItemSchema).default([]),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.plugins.forEach((p, i) => {
      if (seen.has(p.name)) {
        ctx.addIssue({ code: 'custom', path: ['plugins', i, 'name'], message: `duplicate plugin name "${p.name}" (also plugins[${seen.get(p.name)}])` });
      } else seen.set(p.name, i);
      const storeIssue = storeNameIssue(config.plugin_settings.store, p.name);
      if (storeIssue) ctx.addIssue({ code: 'custom', path: ['plugins', i, 'name'], message: storeIssue });
    });
  });
export type ConfigInput = Omit<z.input<typeof ConfigSchema>, 'plugins'> & {
  plugins?: Array<z.input<typeof PluginEntrySchema> | z.input<typeof ExternalEntrySchema>>;
};

/** A validated config whose plugin kinds are resolved to absolute module paths. */
export interface ResolvedConfig {
  settings: PluginSettings;
  plugins: Array<PluginEntry & { modulePath: string; bundled: boolean }>;
  source: string;
  serverSettings?: ServerSettings | undefined;
}
