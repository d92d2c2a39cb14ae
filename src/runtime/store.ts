/**
 * The manager's shared store: what plugins that count (a rate limiter) use, so a limit holds across all workers
 * of the pool rather than per worker. Async, so a Redis-backed implementation can take this one's place. A backend
 * sees only keys already namespaced by plugin and values already checked: plugins reach it through the StoreGate.
 */
export interface Store {
  /** adds 1 (or `by`) to a counter and returns the new value; a new counter expires after `ttlMs` */
  incr(key: string, ttlMs: number, by?: number): Promise<number>;
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** sets `value` if the key holds `expected` (as JSON; null: absent), atomically; true when it did */
  swap(key: string, expected: unknown, value: unknown, ttlMs?: number): Promise<boolean>;
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

  async swap(key: string, expected: unknown, value: unknown, ttlMs?: number): Promise<boolean> {
    if (JSON.stringify(this.live(key)?.value ?? null) !== JSON.stringify(expected ?? null)) return false;
    await this.set(key, value, ttlMs);
    return true;
  }
}

/** The key a backend is given: the plugin's name (known to the host from the channel), then the plugin's own key. */
export const storeKey = (plugin: string, key: string): string => `${plugin}\u0000${key}`;

/** The plugin's name and its own key back from a key this layer built (a backend such as Redis lays them out its own way). */
export function splitStoreKey(key: string): { plugin: string; own: string } {
  const at = key.indexOf('\u0000');
  return at < 0 ? { plugin: '', own: key } : { plugin: key.slice(0, at), own: key.slice(at + 1) };
}
