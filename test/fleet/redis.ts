import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { createClient as CreateClient } from '@redis/client';
import { freePort } from '../helpers.js';

/*
 * Redis for the tests: the machine's server at 127.0.0.1:6379, always under a key prefix of the test's own that is
 * removed afterwards, and throwaway servers of our own (never the machine's) for the tests that stop one.
 */

export const MACHINE_REDIS = 'redis://127.0.0.1:6379';

/** A key prefix no other test run shares. */
export const testPrefix = (label: string) => `cordon-test:${label}:${process.pid}-${randomUUID().slice(0, 8)}`;

type RawClient = ReturnType<typeof CreateClient>;
const { createClient } = createRequire(import.meta.url)('@redis/client') as { createClient: typeof CreateClient };

/** A plain client, for looking at what the store wrote (and cleaning up). */
export async function rawClient(url = MACHINE_REDIS): Promise<RawClient> {
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 2000 } });
  client.on('error', () => {});
  await client.connect();
  return client as RawClient;
}

/** Deletes every key under the prefix. */
export async function cleanPrefix(prefix: string, url = MACHINE_REDIS): Promise<void> {
  const client = await rawClient(url);
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) if (keys.length) await client.del(keys);
  } finally {
    client.destroy();
  }
}

/**
 * A redis-server child on a free loopback port, without persistence, that a test may kill, pause and start again
 * on the same port. Always `destroy()` it.
 */
export class ThrowawayRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort());
    await redis.restart();
    return redis;
  }

  /** Starts the server (again) and resolves once it accepts connections. */
  restart(): Promise<void> {
    if (this.child) throw new Error('the throwaway Redis is still running');
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server on port ${this.port} did not start in 10 s: ${out}`)), 10_000);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start redis-server (is it on PATH?): ${err.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${out}`));
      });
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          child.stdout!.removeAllListeners('data');
          child.stdout!.resume();
          child.removeAllListeners('exit');
          resolve();
        }
      });
      child.stderr!.on('data', (d) => (out += d));
    });
  }

  /** SIGKILL: the connection drops at once. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP: the connection stays open and nothing answers, the case only a timeout can end. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  destroy(): Promise<void> {
    return this.kill();
  }
}

/** Retries `probe` until it resolves true or `ms` passes. */
export async function eventually(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
