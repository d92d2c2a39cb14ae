import { randomUUID } from 'node:crypto';
import { BroadcastChannel, threadId } from 'node:worker_threads';
import type { StoreCapability, StoreReply } from '../core/store-protocol.js';
import type { Lifetime } from './grant-scope.js';

const REPLY_TIMEOUT_MS = 10_000;

/** A worker's client of the host's StoreServer, over the manager's BroadcastChannel. */
export class StoreClient {
  private channel: BroadcastChannel | null = null;
  private readonly pending = new Map<string, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private readonly prefix = `${threadId}-${randomUUID()}-`;
  private seq = 0;

  constructor(private readonly channelName: string) {}

  /**
   * The capability handed to one plugin: its keys are namespaced by its name on the host, and it works only while
   * the plugin's lifetime is open (an answer that comes after its invocation ended never reaches it).
   */
  forPlugin(plugin: string, lifetime: Lifetime): StoreCapability {
    const call = (op: string, key: unknown, extra: Record<string, unknown>) =>
      lifetime.call(() => this.request(plugin, op, typeof key === 'number' ? String(key) : key, extra));
    return {
      incr: (key, ttlMs, by) => call('incr', key, { ttl_ms: ttlMs, by }) as Promise<number>,
      get: (key) => call('get', key, {}),
      set: async (key, value, ttlMs) => void (await call('set', key, { value, ttl_ms: ttlMs })),
      delete: async (key) => void (await call('delete', key, {})),
    };
  }

  private request(plugin: string, op: string, key: unknown, extra: Record<string, unknown>): Promise<unknown> {
    const channel = this.open();
    const id = this.prefix + this.seq++;
    return new Promise((resolve, reject) => {
      // sent first: a value that cannot be cloned throws here, and leaves nothing waiting (replies come later)
      channel.postMessage({ kind: 'request', id, plugin, op, key, ...extra });
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`store ${op} got no answer in ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  private open(): BroadcastChannel {
    if (this.channel) return this.channel;
    const channel = new BroadcastChannel(this.channelName);
    channel.onmessage = (event) => {
      const data = (event as MessageEvent).data as Partial<StoreReply> | null;
      if (data?.kind !== 'reply' || typeof data.id !== 'string') return;
      const waiter = this.pending.get(data.id);
      if (!waiter) return;
      this.pending.delete(data.id);
      clearTimeout(waiter.timer);
      if (data.error) waiter.reject(new Error(`store: ${data.error}`));
      else waiter.resolve(data.value);
    };
    this.channel = channel;
    return channel;
  }
}
