import { createRequire } from 'node:module';
import type { createClient as CreateClient, ErrorReply } from '@redis/client';
import type { Logger } from './observability.js';
import { quietLogger } from './observability.js';
import { STORE_VALUE_MAX_BYTES } from '../core/store-protocol.js';
import { splitStoreKey, type Store } from './store.js';
import { StoreUnavailableError } from './store-errors.js';

export interface RedisStoreOptions {
  /** redis:// or rediss:// (TLS) */
  url: string;
  /** every key is `<keyPrefix>:<plugin name>:<the plugin's own key>` */
  keyPrefix: string;
  connectTimeoutMs: number;
  /** no call waits longer than this: past it, it rejects with StoreUnavailableError */
  commandTimeoutMs: number;
  logger?: Logger;
}

/** What this store uses of the client (the client's own generic types say far more than that). */
interface Client {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}
interface RedisModule {
  createClient(options: Parameters<typeof CreateClient>[0]): Client;
  ErrorReply: typeof ErrorReply;
}

/**
 * One round trip on one key, atomic because a script runs alone: add ARGV[1], and
 * when the key is new give it the window ARGV[2] ms, so a window starts at its first hit. A value that is not a
 * number counts from zero and keeps its expiry, as in the in-memory store. INCRBYFLOAT, not INCRBY, because a
 * plugin's `by` may be fractional; its reply is a string.
 */
const INCR_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current and not tonumber(current) then redis.call('SET', KEYS[1], '0', 'KEEPTTL') end
local value = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
if not current then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`;

/**
 * Compare and set, atomic because a script runs alone: write ARGV[2] (with the expiry ARGV[3] ms, none when 0) only
 * if the key holds ARGV[1] exactly, or is absent and ARGV[1] is null. Values are JSON written by this store, so the
 * same value is the same text.
 */
const SWAP_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == 'null') or current == ARGV[1] then
  if ARGV[3] == '0' then redis.call('SET', KEYS[1], ARGV[2]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
  return 1
end
return 0`;

/** How long the client waits between reconnection attempts: fast at first, never more than a second apart. */
const reconnectDelay = (retries: number) => Math.min(50 * 2 ** retries, 1000);

/**
 * A Store in Redis, shared by every manager that points at the same server and prefix. Values are JSON. Every call
 * is bounded by commandTimeoutMs and rejects with StoreUnavailableError when Redis cannot answer in time; commands
 * are not queued while the connection is down (they fail at once), and the client reconnects by itself.
 * `@redis/client` is loaded only when a RedisStore connects, so a memory-store manager never loads it.
 */
export class RedisStore implements Store {
  /** each script's SHA once loaded */
  private readonly shas = new Map<string, string>();
  private down = false;

  private constructor(
    private readonly client: Client, private readonly options: RedisStoreOptions, private readonly where: string,
    private readonly ErrorReply: RedisModule['ErrorReply'],
  ) {}

  /** Connects within connectTimeoutMs, or rejects with StoreUnavailableError naming the server (never its password). */
  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    const logger = options.logger ?? quietLogger;
    const where = redactUrl(options.url);
    // required here, not imported at the top: only a manager configured for Redis loads the client
    const redis = createRequire(import.meta.url)('@redis/client') as RedisModule;
    const client = redis.createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: options.connectTimeoutMs, reconnectStrategy: reconnectDelay },
      // a command already sent when its time is up is dropped too: its late reply is discarded
      commandOptions: { timeout: options.commandTimeoutMs, rejectInFlight: true },
    });
    const store = new RedisStore(client, options, where, redis.ErrorReply);
    client.on('error', (err: Error) => {
      // one line per outage, not one per reconnection attempt; without a listener the error would end the process
      if (store.down) return;
      store.down = true;
      logger.warn(`store: Redis at ${where} is unavailable (${err.message}); reconnecting`);
    });
    client.on('ready', () => {
      if (store.down) logger.info(`store: Redis at ${where} is back`);
      store.down = false;
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreUnavailableError(`cannot reach Redis at ${where} within ${options.connectTimeoutMs} ms (plugin_settings.store.connect_timeout_ms)`)), options.connectTimeoutMs);
    });
    try {
      const connecting = client.connect();
      connecting.catch(() => {}); // settles after destroy() when the deadline won: not an unhandled rejection
      await Promise.race([connecting, deadline]);
      for (const script of [INCR_SCRIPT, SWAP_SCRIPT]) store.shas.set(script, String(await store.command(['SCRIPT', 'LOAD', script])));
    } catch (err) {
      client.destroy();
      throw err instanceof StoreUnavailableError ? err : new StoreUnavailableError(`cannot connect to Redis at ${where}: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    return store;
  }

  async incr(key: string, ttlMs: number, by = 1): Promise<number> {
    const reply = await this.script(INCR_SCRIPT, [this.redisKey(key), String(by), String(Math.max(1, Math.ceil(ttlMs)))]);
    const value = Number(reply);
    if (!Number.isFinite(value)) throw new Error(`store: Redis answered ${String(reply).slice(0, 40)} to an increment`);
    return value;
  }

  async get(key: string): Promise<unknown> {
    const text = await this.command(['GET', this.redisKey(key)]);
    if (text === null) return null;
    if (typeof text !== 'string' || Buffer.byteLength(text) > STORE_VALUE_MAX_BYTES) {
      throw new Error(`store: the value of ${key.slice(0, 100)} is not JSON of at most ${STORE_VALUE_MAX_BYTES} bytes`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`store: the value of ${key.slice(0, 100)} is not JSON`);
    }
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const text = JSON.stringify(value ?? null) ?? 'null'; // a function or symbol has no JSON: stored as null
    if (Buffer.byteLength(text) > STORE_VALUE_MAX_BYTES) throw new Error(`store: a stored value is JSON of at most ${STORE_VALUE_MAX_BYTES} bytes`);
    const expiry = ttlMs ? ['PX', String(Math.max(1, Math.ceil(ttlMs)))] : [];
    await this.command(['SET', this.redisKey(key), text, ...expiry]);
  }

  async delete(key: string): Promise<void> {
    await this.command(['DEL', this.redisKey(key)]);
  }

  async swap(key: string, expected: unknown, value: unknown, ttlMs?: number): Promise<boolean> {
    const text = JSON.stringify(value ?? null) ?? 'null';
    if (Buffer.byteLength(text) > STORE_VALUE_MAX_BYTES) throw new Error(`store: a stored value is JSON of at most ${STORE_VALUE_MAX_BYTES} bytes`);
    const ttl = ttlMs ? String(Math.max(1, Math.ceil(ttlMs))) : '0';
    return Number(await this.script(SWAP_SCRIPT, [this.redisKey(key), JSON.stringify(expected ?? null) ?? 'null', text, ttl])) === 1;
  }

  /** Runs a script on one key (so it is Redis-Cluster safe) by its SHA, or by its text when the server lost it. */
  private async script(script: string, [key, ...args]: string[]): Promise<unknown> {
    const call = ['1', key!, ...args];
    const started = performance.now();
    try {
      return await this.command(['EVALSHA', this.shas.get(script)!, ...call]);
    } catch (err) {
      // the script cache is gone (a restarted or flushed server): send the script itself, which caches it again,
      // within what is left of this call's time
      const cause = (err as Error).cause;
      if (!(cause instanceof this.ErrorReply && cause.message.startsWith('NOSCRIPT'))) throw err;
      return this.command(['EVAL', script, ...call], this.options.commandTimeoutMs - (performance.now() - started));
    }
  }

  /** Closes the connection; calls made afterwards reject with StoreUnavailableError. */
  async close(): Promise<void> {
    if (!this.client.isOpen) return;
    try {
      await this.bounded(this.client.close());
    } catch {
      this.client.destroy();
    }
  }

  /**
   * `<key_prefix>:<plugin>:<key>` from the store layer's per-plugin key. A plugin name holding ':' could reach
   * another plugin's keys (plugin `a`, key `b:c` is plugin `a:b`, key `c`), so it is refused (the config check
   * refuses it first).
   */
  private redisKey(key: string): string {
    const { plugin, own } = splitStoreKey(key);
    if (plugin.includes(':')) throw new Error(`store: plugin name ${JSON.stringify(plugin.slice(0, 100))} holds ':', which the Redis store's key layout cannot separate`);
    return plugin ? `${this.options.keyPrefix}:${plugin}:${own}` : `${this.options.keyPrefix}:${own}`;
  }

  /** An error reply (WRONGTYPE, NOSCRIPT, ...) means Redis answered: a plain error; anything else, unavailable. */
  private async command(args: string[], ms = this.options.commandTimeoutMs): Promise<unknown> {
    try {
      return await this.bounded(this.client.sendCommand(args), ms);
    } catch (err) {
      if (err instanceof this.ErrorReply) throw new Error(`store: Redis: ${err.message}`, { cause: err });
      if (err instanceof StoreUnavailableError) throw err;
      throw new StoreUnavailableError(`Redis at ${this.where} did not answer: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
  }

  /**
   * The client's own timeout (commandOptions) ends a command at commandTimeoutMs; this backstop, a little later,
   * holds the bound even if a command escaped it (say, one caught between queues during a reconnection).
   */
  private bounded<T>(work: Promise<T>, ms = this.options.commandTimeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const backstop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreUnavailableError(`Redis at ${this.where} did not answer within ${this.options.commandTimeoutMs} ms (plugin_settings.store.command_timeout_ms)`)), Math.max(0, ms) + BACKSTOP_MS);
    });
    work.catch(() => {}); // a late rejection after the backstop won is expected, not unhandled
    return Promise.race([work, backstop]).finally(() => clearTimeout(timer));
  }
}

const BACKSTOP_MS = 20;

/** The URL with its password hidden, for messages and logs. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(an invalid URL)';
  }
}
