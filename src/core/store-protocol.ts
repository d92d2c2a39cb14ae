import { z } from 'zod';

/**
 * The store's messages: a plugin's request, sent by a worker's store client (or relayed from a plugin process) on
 * the manager's channel, and the host's reply. The host parses every request; each side knows the other's shape.
 */

/** The plugin-facing store: every call goes to the manager's store on the host and resolves with its answer. */
export interface StoreCapability {
  incr(key: string, ttlMs?: number, by?: number): Promise<number>;
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Writes `value` only if the key still holds `expected` (equal as JSON; null: the key is absent), atomically, and
   * says whether it did: a read-modify-write that holds across workers and gateways (a token bucket, a window log).
   */
  swap(key: string, expected: unknown, value: unknown, ttlMs?: number): Promise<boolean>;
}

/** The largest value a plugin may keep, as JSON (the gate checks it on what it keeps; a backend on what it reads). */
export const STORE_VALUE_MAX_BYTES = 64 * 1024;

export const StoreRequestSchema = z.object({
  kind: z.literal('request'),
  id: z.string().max(100),
  /** which of the channel's plugins asks: the host accepts only the plugins it bound to that channel */
  plugin: z.string().max(200),
  op: z.enum(['incr', 'get', 'set', 'delete', 'swap']),
  // key, TTL, step and value are checked by the host's StoreGate, the one place every store path goes through (the
  // value on the plain-data copy it keeps), so the rules are the same for inline plugins and for any backend
  key: z.unknown(),
  ttl_ms: z.unknown().optional(),
  by: z.unknown().optional(),
  value: z.unknown().optional(),
  expected: z.unknown().optional(),
});

const StoreReplySchema = z.object({
  kind: z.literal('reply'),
  id: z.string(),
  value: z.unknown().optional(),
  error: z.string().optional(),
});
export type StoreReply = z.infer<typeof StoreReplySchema>;

