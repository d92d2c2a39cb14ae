/** Starts the boundary's test worker and talks to it; lockdown() only ever runs in that worker. */
import { Worker } from 'node:worker_threads';
import type { TestPluginDef, WorkerReply, WorkerRequest } from './fixtures/sandbox-worker.js';

type Outcome = Omit<WorkerReply, 'id'>;
type Request = { op: 'load'; def: TestPluginDef; hostCounterAs?: string }
  | { op: 'call'; name: string; hook: string; payload: unknown; context?: unknown }
  | { op: 'shutdown'; name: string } | { op: 'inspect' };

export class SandboxHarness {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: WorkerReply) => void; reject: (err: Error) => void }>();

  /** `env` is the worker's environment: empty, as the pool gives it, unless a test plants a secret to look for. */
  constructor(env: Record<string, string> = {}) {
    this.worker = new Worker(new URL('./fixtures/sandbox-worker.js', import.meta.url), { env });
    this.worker.on('message', (reply: WorkerReply) => {
      this.pending.get(reply.id)?.resolve(reply);
      this.pending.delete(reply.id);
    });
    const failAll = (err: Error) => {
      for (const { reject } of this.pending.values()) reject(err);
      this.pending.clear();
    };
    this.worker.on('error', failAll);
    this.worker.on('exit', (code) => failAll(new Error(`sandbox test worker exited with ${code}`)));
  }

  send(request: Request): Promise<Outcome> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...request } as WorkerRequest);
    });
  }

  /** Loads a plugin; `hostCounterAs` endows a worker-built counter object under that global name. */
  async load(def: Partial<TestPluginDef> & { name: string; source: string }, hostCounterAs?: string): Promise<Outcome> {
    return this.send({ op: 'load', def: pluginDef(def), ...(hostCounterAs ? { hostCounterAs } : {}) });
  }

  async call(name: string, hook: string, payload: unknown = {}, context?: unknown): Promise<Outcome> {
    return this.send({ op: 'call', name, hook, payload, context });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

export function pluginDef(def: Partial<TestPluginDef> & { name: string; source: string }): TestPluginDef {
  return {
    specifier: `/plugins/${def.name}.js`,
    config: {},
    capabilities: {},
    envValues: {},
    timeoutMs: 5000,
    ...def,
  };
}

/** A plugin whose `probe` hook returns what `body` (a function body) returns, inside the compartment. */
export function probePlugin(body: string): string {
  return `export default { async probe(payload) { ${body} } };\n`;
}

/** Runs `body` in a fresh plugin and returns the probe's outcome. */
export async function probe(harness: SandboxHarness, name: string, body: string,
  extra: Partial<TestPluginDef> = {}): Promise<Outcome> {
  const loaded = await harness.load({ name, source: probePlugin(body), ...extra });
  if (!loaded.ok) return loaded;
  return harness.call(name, 'probe', {});
}
