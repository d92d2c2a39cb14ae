import { z } from 'zod';
import type { Logger } from './observability.js';
import { MemoryStore, type Store } from './store.js';

const RedisUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'redis:' || u.protocol === 'rediss:') && u.hostname !== '';
  } catch {
    return false;
  }
}, 'must be a redis:// or rediss:// URL, like redis://127.0.0.1:6379');

const Millis = z.number().int().positive().max(600_000);

/** `plugin_settings.store`: where plugins' shared state (rate-limit counters) lives. */
export const StoreSettingsSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('memory') }),
  z.strictObject({
    kind: z.literal('redis'),
    url: RedisUrl.default('redis://127.0.0.1:6379'),
    /** every key is `<key_prefix>:<plugin name>:<the plugin's own key>` */
    key_prefix: z.string().min(1).max(200).default('cordon'),
    connect_timeout_ms: Millis.default(2000),
    /** no store call waits longer than this */
    command_timeout_ms: Millis.default(500),
  }),
]);
export type StoreSettings = z.infer<typeof StoreSettingsSchema>;

/** Names the Redis key layout cannot keep apart (see RedisStore): checked at config load. */
export const storeNameIssue = (settings: StoreSettings, name: string): string | undefined =>
  settings.kind === 'redis' && name.includes(':') ? `a plugin name may not hold ':' with the Redis store (its keys are <key_prefix>:<plugin name>:<key>)` : undefined;

/**
 * The store the settings describe, connected. The Redis module (and with it the Redis client) is imported only
 * here, when Redis is configured, so the in-memory default loads neither.
 */
export async function openStore(settings: StoreSettings, logger: Logger): Promise<Store> {
  if (settings.kind === 'memory') return new MemoryStore();
  const { RedisStore } = await import('./redis-store.js');
  return RedisStore.connect({
    url: settings.url, keyPrefix: settings.key_prefix, connectTimeoutMs: settings.connect_timeout_ms,
    commandTimeoutMs: settings.command_timeout_ms, logger,
  });
}
