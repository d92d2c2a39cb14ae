import { jsonBytes } from '../core/json-bytes.js';
import { NotPlainDataError, toPlainData } from '../core/plain-data.js';
import { storeKey, type Store } from './store.js';
import { STORE_VALUE_MAX_BYTES, type StoreCapability } from '../core/store-protocol.js';

/** What one plugin may keep in the shared store, whatever the backend. */
export interface StoreQuota {
  /** live keys of one plugin */
  keys: number;
  /** bytes of one plugin's live keys and values (UTF-8 key plus the JSON of the value kept) */
  bytes: number;
  /** bytes of one value's JSON */
  valueBytes: number;
}

export const DEFAULT_STORE_QUOTA: StoreQuota = Object.freeze({ keys: 10_000, bytes: 8 * 2 ** 20, valueBytes: STORE_VALUE_MAX_BYTES });

const DEFAULT_TTL_MS = 60_000;
const MAX_KEY = 1000;
const MAX_TTL_MS = 2 ** 31;
/** what an incr's counter is charged: its key plus a number's JSON, at most */
const COUNTER_BYTES = 24;

interface Usage {
  keys: Map<string, { bytes: number; expires: number }>;
  bytes: number;
}

export class StoreRefusal extends Error {}

/**
 * The layer between a plugin's channel and the backend: the plugin's identity is bound here, by the capability
 * the host made for it (never read from a message), its keys live under its name, and its own quota of keys and
 * bytes is kept here, so one plugin cannot fill the backend for the others and any backend inherits the rules.
 * A value is kept as the plain-data copy made here, and measured on that copy, so what is measured is what is kept.
 * Expiry is tracked from the TTLs given here; a key another host wrote counts from its first write on this one.
 */
export class StoreGate {
  private readonly plugins = new Map<string, StoreCapability>();

  constructor(private readonly store: Store, private readonly quota: StoreQuota = DEFAULT_STORE_QUOTA) {}

  /** The store as the named plugin sees it; the caller vouches for the name (it comes from the plugin's channel). */
  forPlugin(plugin: string): StoreCapability {
    let capability = this.plugins.get(plugin);
    if (!capability) this.plugins.set(plugin, (capability = this.make(plugin)));
    return capability;
  }

  private make(plugin: string): StoreCapability {
    const usage: Usage = { keys: new Map(), bytes: 0 };
    const ns = (key: unknown) => storeKey(plugin, checkKey(key));
    return {
      incr: async (key, ttlMs, by) => {
        const full = ns(key);
        const ttl = checkTtl(ttlMs) ?? DEFAULT_TTL_MS;
        if (by !== undefined && !Number.isFinite(by)) throw new StoreRefusal('store incr: `by` must be a finite number');
        this.reserve(plugin, usage, full, COUNTER_BYTES, ttl, true);
        return this.store.incr(full, ttl, by);
      },
      get: async (key) => this.store.get(ns(key)),
      set: async (key, value, ttlMs) => {
        const full = ns(key);
        const ttl = checkTtl(ttlMs);
        const kept = this.bounded('set', value);
        this.reserve(plugin, usage, full, jsonBytes(kept), ttl, false);
        await this.store.set(full, kept, ttl);
      },
      swap: async (key, expected, value, ttlMs) => {
        const full = ns(key);
        const ttl = checkTtl(ttlMs);
        const compared = this.bounded('swap', expected);
        const kept = this.bounded('swap', value);
        // charged before the write, as a set is: a swap that loses leaves the quota as the winner's write left it
        this.reserve(plugin, usage, full, jsonBytes(kept), ttl, false);
        return this.store.swap(full, compared, kept, ttl);
      },
      delete: async (key) => {
        const full = ns(key);
        release(usage, full);
        await this.store.delete(full);
      },
    };
  }

  /** The plain-data copy of a value the plugin hands over, refused past the size of one value. */
  private bounded(op: string, value: unknown): unknown {
    const kept = plainValue(value, op);
    const bytes = jsonBytes(kept);
    if (bytes > this.quota.valueBytes) throw new StoreRefusal(`store ${op}: the value is ${bytes} bytes of JSON, over the limit of ${this.quota.valueBytes}`);
    return kept;
  }

  /** Charges a write to the plugin's quota before it reaches the backend; a counter that exists costs nothing more. */
  private reserve(plugin: string, usage: Usage, key: string, bytes: number, ttlMs: number | undefined, counter: boolean): void {
    const now = Date.now();
    const held = usage.keys.get(key);
    if (held && held.expires <= now) release(usage, key);
    const current = usage.keys.get(key);
    if (counter && current) return;
    const cost = Buffer.byteLength(key) + bytes;
    const fits = () => usage.keys.size + (current ? 0 : 1) <= this.quota.keys && usage.bytes - (current?.bytes ?? 0) + cost <= this.quota.bytes;
    if (!fits()) {
      for (const [k, entry] of usage.keys) if (entry.expires <= now) release(usage, k);
      if (!fits()) {
        throw new StoreRefusal(`store: plugin ${plugin} is over its quota (${this.quota.keys} keys, ${this.quota.bytes} bytes); delete keys or give them a TTL`);
      }
    }
    release(usage, key);
    usage.keys.set(key, { bytes: cost, expires: ttlMs === undefined ? Infinity : now + ttlMs });
    usage.bytes += cost;
  }
}

function release(usage: Usage, key: string): void {
  const entry = usage.keys.get(key);
  if (!entry) return;
  usage.keys.delete(key);
  usage.bytes -= entry.bytes;
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string' && typeof key !== 'number') throw new StoreRefusal('store: a key is a string');
  const text = String(key);
  if (text.length > MAX_KEY) throw new StoreRefusal(`store: a key is at most ${MAX_KEY} characters`);
  return text;
}

function checkTtl(ttlMs: unknown): number | undefined {
  if (ttlMs === undefined || ttlMs === null) return undefined;
  if (typeof ttlMs !== 'number' || !(ttlMs > 0) || ttlMs > MAX_TTL_MS) throw new StoreRefusal(`store: a TTL is a number of milliseconds in (0, ${MAX_TTL_MS}]`);
  return ttlMs;
}

/** The copy the backend keeps: plain data only, so an ArrayBuffer, a Map or a class instance is refused, not emptied. */
function plainValue(value: unknown, op: string): unknown {
  if (value === undefined) return null;
  try {
    return toPlainData(value, 'value');
  } catch (err) {
    if (err instanceof NotPlainDataError) throw new StoreRefusal(`store ${op}: a value is plain JSON data (${err.message})`);
    throw err;
  }
}
