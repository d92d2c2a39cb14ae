export { loadConfig, PluginManager } from './bundled.js';
export type { ManagerOptions } from './runtime/manager.js';
export type { HookInvocation, InvokeOptions } from './runtime/executor.js';
export type { SingleOptions } from './runtime/invoke-plugin.js';
export { ConfigError, PayloadSizeError, PayloadValidationError, PluginError, PluginViolationError, UnknownHookError } from './core/errors.js';
export type { ConfigIssue, PluginErrorInfo } from './core/errors.js';
export { BUNDLED_CONFIG } from './bundled.js';
export type { ConfigInput, PluginEntry, PluginSettings, ResolvedConfig } from './runtime/config.js';
export { HOOK_NAMES, hookSpec } from './core/hooks.js';
export type { Logger } from './runtime/observability.js';
export { MemoryStore, type Store } from './runtime/store.js';
export { RedisStore, type RedisStoreOptions } from './runtime/redis-store.js';
export { StoreUnavailableError } from './runtime/store-errors.js';
export type { StoreSettings } from './runtime/store-config.js';
export type {
  GlobalContext, GlobalContextInput, JsonObject, LocalContext, PluginContext, PluginContextTable, PluginResult, PluginViolation,
} from './core/schemas.js';
export { definePlugin, type HookFunction, type HookReturn, type PluginGrants, type PluginModule, type PluginHooks } from './runtime/define.js';
export type { BuiltInHook, HookPayload, HookPayloadInput, HookPayloadInputs, HookPayloads, HookResultPayload, HookResults } from './core/hook-types.js';
