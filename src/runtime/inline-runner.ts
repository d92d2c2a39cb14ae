import { FailureError, failures } from '../core/failures.js';
import type { Runner, Segment } from './runners.js';
import { runChain, stepPlugin } from '../core/chain.js';
import { forgetPlugin, importPlugin, loadPlugin } from '../core/loader.js';
import type { PluginDefinition, PoolData } from '../core/protocol.js';
import type { StoreGate } from './store-gate.js';

/**
 * Runs trusted plugins on the host's event loop, with the same chain runner as a worker. Its timeout can only
 * reject the call: a plugin that never yields blocks the host, which is why `inline` is for trusted code.
 */
export class InlineRunner implements Runner {
  private readonly definitions: Map<string, PluginDefinition>;

  constructor(private readonly data: PoolData, private readonly store: StoreGate, readonly batches: boolean) {
    this.definitions = new Map(data.plugins.map((p) => [p.id, p]));
  }

  private open(id: string) {
    const def = this.definitions.get(id)!;
    return loadPlugin(id, def.timeoutMs, () => importPlugin(def, { store: this.store.forPlugin(def.name) }));
  }

  async load(ids: string[]) {
    return Promise.all(ids.map(async (id) => {
      try {
        return { id, hooks: (await this.open(id)).hooks };
      } catch (err) {
        return { id, failure: (err as FailureError).failure };
      }
    }));
  }

  run(segment: Segment): Promise<unknown[]> {
    return runChain(segment, this.data, {
      load: (id) => this.open(id),
      pluginOf: (id) => stepPlugin(this.definitions.get(id), id),
      started: () => {},
      finished: () => true,
      guard: (i, pending) => withTimeout(Promise.resolve(pending), segment.timeoutsMs[i]!),
    });
  }

  async shutdownPlugins(): Promise<string[]> {
    const problems: string[] = [];
    await Promise.all([...this.definitions.values()].map(async (def) => {
      try {
        await (await this.open(def.id)).shutdown();
      } catch (err) {
        problems.push(`${def.name}: ${(err as Error)?.message ?? err}`);
      }
    }));
    return problems;
  }

  async close(): Promise<void> {
    for (const id of this.definitions.keys()) forgetPlugin(id);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FailureError(failures.timeout(ms))), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
