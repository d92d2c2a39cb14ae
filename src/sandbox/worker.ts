import { workerData } from 'piscina';
import { toFailure } from '../runtime/errors.js';
import { runChain } from './chain.js';
import { FailureError } from '../runtime/errors.js';
import { loadedPlugins, loadPlugin } from './loader.js';
import { ProgressWriter } from './progress.js';
import type { ChainTask, LoadReply, LoadTask, PluginDefinition, PoolData, ShutdownTask, WorkerTask } from './protocol.js';

/*
 * The Piscina worker entry. Nothing here may throw at module load (Piscina then hangs later tasks), so plugin
 * code is only ever loaded inside a task, under that task's error handling.
 */
const data = workerData as PoolData;
const definitions = new Map<string, PluginDefinition>(data.plugins.map((p) => [p.id, p]));

function definition(id: string): PluginDefinition {
  const def = definitions.get(id);
  if (!def) throw new FailureError({ code: 'UNKNOWN_PLUGIN', message: `no plugin with id ${id} in this pool` });
  return def;
}

export default function handle(task: WorkerTask): Promise<unknown> {
  switch (task.op) {
    case 'chain':
      return chain(task);
    case 'load':
      return load(task);
    case 'shutdown':
      return shutdown(task);
  }
}

function chain(task: ChainTask) {
  const progress = new ProgressWriter(task.progress);
  return runChain(task, data, {
    load: (id) => loadPlugin(definition(id)),
    nameOf: (id) => definitions.get(id)?.name ?? id,
    started: (i) => progress.started(i),
    finished: (_i, outcome) => progress.finished(outcome),
    guard: (_i, call) => call(),
  });
}

async function load(task: LoadTask): Promise<LoadReply> {
  return Promise.all(task.ids.map(async (id) => {
    try {
      const plugin = await loadPlugin(definition(id));
      return { id, hooks: plugin.hooks };
    } catch (err) {
      return { id, failure: err instanceof FailureError ? err.failure : toFailure(err, 'LOAD_FAILED') };
    }
  }));
}

async function shutdown(task: ShutdownTask): Promise<string[]> {
  const arrived = new Int32Array(task.barrier);
  Atomics.add(arrived, 0, 1);
  const deadline = Date.now() + 1000;
  while (Atomics.load(arrived, 0) < task.workers && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  const problems: string[] = [];
  for (const loading of loadedPlugins()) {
    try {
      await (await loading).shutdown();
    } catch (err) {
      problems.push((err as Error)?.message ?? String(err));
    }
  }
  return problems;
}
