import { z } from 'zod';
import { jsonBytes } from './plain-data.js';

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
}

export const STORE_VALUE_MAX_BYTES = 64 * 1024;

function fitsStore(value: unknown): boolean {
  try {
    return jsonBytes(value) <= STORE_VALUE_MAX_BYTES;
  } catch {
    return false;
  }
}

export const StoreRequestSchema = z.object({
  kind: z.literal('request'),
  id: z.string().max(100),
  plugin: z.string().max(200),
  op: z.enum(['incr', 'get', 'set', 'delete']),
  key: z.string().max(1000),
  ttl_ms: z.number().positive().max(2 ** 31).optional(),
  by: z.number().finite().optional(),
  value: z.unknown().refine((v) => v === undefined || fitsStore(v), `a stored value is JSON of at most ${STORE_VALUE_MAX_BYTES} bytes`).optional(),
});

const StoreReplySchema = z.object({
  kind: z.literal('reply'),
  id: z.string(),
  value: z.unknown().optional(),
  error: z.string().optional(),
});
export type StoreReply = z.infer<typeof StoreReplySchema>;

