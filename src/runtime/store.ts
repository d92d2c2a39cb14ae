import { BroadcastChannel } from 'node:worker_threads';
import type { Logger } from './observability.js';
import { StoreRequestSchema, type StoreCapability, type StoreReply } from '../core/store-protocol.js';

/**
 * The manager's shared store: what plugins that count (a rate limiter) use, so a limit holds across all workers
 * of the pool rather than per worker. Async, so a Redis-backed implementation can take this one's place.
 */
export interface Store {
  /** adds 1 (or `by`) to a counter and returns the new value; a new counter expires after `ttlMs` */
  incr(key: string, ttlMs: number, by?: number): Promise<number>;
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  close?(): Promise<void>;
}

/** How many live keys the in-memory store holds before it refuses new ones: plugins must not grow the host unbounded. */
export const MEMORY_STORE_MAX_KEYS = 100_000;

/** An in-memory store for one manager; expiry is checked on access, and expired keys are swept when it is full. */
export class MemoryStore implements Store {
  private readonly entries = new Map<string, { value: unknown; expires: number }>();

  private room(key: string): void {
    if (this.entries.has(key) || this.entries.size < MEMORY_STORE_MAX_KEYS) return;
    const now = Date.now();
    for (const [k, entry] of this.entries) if (entry.expires <= now) this.entries.delete(k);
    if (this.entries.size >= MEMORY_STORE_MAX_KEYS) throw new Error(`the store is full (${MEMORY_STORE_MAX_KEYS} keys)`);
  }

  private live(key: string) {
    const entry = this.entries.get(key);
    if (entry && entry.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async incr(key: string, ttlMs: number, by = 1): Promise<number> {
    const entry = this.live(key);
    const value = (typeof entry?.value === 'number' ? entry.value : 0) + by;
    this.room(key);
    this.entries.set(key, { value, expires: entry?.expires ?? Date.now() + ttlMs });
    return value;
  }

  async get(key: string): Promise<unknown> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.room(key);
    this.entries.set(key, { value, expires: ttlMs ? Date.now() + ttlMs : Infinity });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
}

const storeKey = (plugin: string, key: string) => `${plugin}\u0000${key}`;

/** The plugin's name and its own key back from a key this layer built (a backend such as Redis lays them out its own way). */
export function splitStoreKey(key: string): { plugin: string; own: string } {
  const at = key.indexOf('\u0000');
  return at < 0 ? { plugin: '', own: key } : { plugin: key.slice(0, at), own: key.slice(at + 1) };
}

/** The store as an inline plugin on the host sees it, namespaced like a worker's requests. */
export function storeFor(store: Store, plugin: string): StoreCapability {
  return {
    incr: (key, ttlMs, by) => store.incr(storeKey(plugin, String(key)), ttlMs ?? DEFAULT_TTL_MS, by),
    get: (key) => store.get(storeKey(plugin, String(key))),
    set: (key, value, ttlMs) => store.set(storeKey(plugin, String(key)), value, ttlMs),
    delete: (key) => store.delete(storeKey(plugin, String(key))),
  };
}

const DEFAULT_TTL_MS = 60_000;

/**
 * Answers workers' store requests on the manager's channel. Each plugin's keys live under its own name, so a
 * plugin cannot read or reset another's counters; requests are parsed like any other data from a worker.
 */
export class StoreServer {
  private readonly channel: BroadcastChannel;

  constructor(readonly channelName: string, private readonly store: Store, private readonly logger: Logger) {
    this.channel = new BroadcastChannel(channelName);
    this.channel.unref();
    this.channel.onmessage = (event) => void this.answer((event as MessageEvent).data);
  }

  private async answer(data: unknown): Promise<void> {
    const parsed = StoreRequestSchema.safeParse(data);
    if (!parsed.success) {
      const { kind, id } = (data ?? {}) as { kind?: unknown; id?: unknown };
      if (kind !== 'request') return; // our own replies, echoed on the channel
      // answer what can be answered, so the plugin's call fails at once instead of waiting for its timeout
      if (typeof id === 'string' && id.length <= 100) this.channel.postMessage({ kind: 'reply', id, error: parsed.error.issues[0]?.message ?? 'invalid request' });
      else this.logger.warn('store: dropped a malformed request from a worker');
      return;
    }
    const req = parsed.data;
    const key = storeKey(req.plugin, req.key);
    let reply: StoreReply;
    try {
      const value = req.op === 'incr' ? await this.store.incr(key, req.ttl_ms ?? DEFAULT_TTL_MS, req.by)
        : req.op === 'get' ? await this.store.get(key)
        : req.op === 'set' ? await this.store.set(key, req.value, req.ttl_ms)
        : await this.store.delete(key);
      reply = { kind: 'reply', id: req.id, value: value ?? null };
    } catch (err) {
      reply = { kind: 'reply', id: req.id, error: (err as Error)?.message ?? String(err) };
    }
    this.channel.postMessage(reply);
  }

  close(): void {
    this.channel.close();
  }
}
