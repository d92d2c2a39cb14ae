import { FailureError, failureOf, failures, toFailure } from '../core/failures.js';
import { runChain, stepPlugin } from '../core/chain.js';
import { importPlugin, loadedPlugin, loadedPlugins, loadPlugin, type LoadedPlugin } from '../core/loader.js';
import { ISOLATION_LEVELS } from '../core/isolation.js';
import { loadInCompartment } from './compartment-loader.js';
import { StoreClient } from './store-client.js';
import { GrantScopes } from './grant-scope.js';
import { ConsoleCapture } from './console-capture.js';
import { ProgressWriter } from '../core/progress.js';
import type { ChainTask, LoadReply, LoadTask, PluginDefinition, PoolData, ShutdownTask, WorkerTask } from '../core/protocol.js';

/**
 * What a worker does with a task, wherever the worker lives (a Piscina thread, or a child process). Plugin code
 * is only ever loaded inside a task, under that task's error handling.
 */
export interface Handler {
  handle(task: WorkerTask): Promise<unknown>;
  /** settles when every plugin of the pool has loaded or failed to (a failure is reported by the task needing it) */
  ready: Promise<unknown>;
}

export function createHandler(data: PoolData): Handler {
  const definitions = new Map<string, PluginDefinition>(data.plugins.map((p) => [p.id, p]));
  const store = new StoreClient(data.storeChannel);
  const consoles = new ConsoleCapture();
  // a plugin's grants work while it loads, runs an invocation or shuts down, and at no other time
  const scopes = new GrantScopes();
  const open = (id: string): Promise<LoadedPlugin> => {
    const def = definitions.get(id);
    if (!def) return Promise.reject(new FailureError(failures.unknownPlugin(`no plugin with id ${id} in this pool`)));
    // the loader keeps each plugin's one load: only the first call builds its grants and opens a scope for loading
    return loadedPlugin(id) ?? scopes.within(id, () => loadPlugin(id, def.timeoutMs, () => {
      const lifetime = scopes.lifetimeOf(id);
      const grants = { store: store.forPlugin(def.name, lifetime) };
      return ISOLATION_LEVELS[def.isolation].compartment
        ? loadInCompartment(def, grants.store, consoles.sinkFor(id), lifetime)
        : importPlugin(def, grants);
    }));
  };
  // Every worker loads all its plugins as soon as it starts, so neither the first call on a fresh worker nor the
  // call after a runaway (whose worker was replaced) pays for loading. A failure stays cached in the loader and is
  // reported by the task that needs the plugin; allSettled keeps it from being an unhandled rejection.
  const ready = Promise.allSettled(data.plugins.map((p) => open(p.id)));
  const handle = (task: WorkerTask): Promise<unknown> => {
    switch (task.op) {
      case 'chain':
        return chain(task, data, definitions, open, consoles, scopes);
      case 'load':
        return load(task, open);
      case 'shutdown':
        return shutdown(task, scopes);
    }
  };
  return { handle, ready };
}

function chain(task: ChainTask, data: PoolData, definitions: Map<string, PluginDefinition>, open: (id: string) => Promise<LoadedPlugin>,
  consoles: ConsoleCapture, scopes: GrantScopes) {
  const progress = new ProgressWriter(task.progress);
  return runChain(task, data, {
    load: open,
    pluginOf: (id) => stepPlugin(definitions.get(id), id),
    started: (i) => progress.started(i),
    finished: (_i, outcome) => progress.finished(outcome),
    // one invocation: its console lines are collected and its grants work until it settles
    capture: (id) => {
      const end = scopes.begin(id);
      const lines = consoles.begin(id);
      return () => {
        end();
        return lines();
      };
    },
    settle,
  });
}

/** a macrotask turn: what a plugin left queued runs before its run counts as over (chain.ts) */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function load(task: LoadTask, open: (id: string) => Promise<LoadedPlugin>): Promise<LoadReply> {
  return Promise.all(task.ids.map(async (id) => {
    try {
      const plugin = await open(id);
      return { id, hooks: plugin.hooks };
    } catch (err) {
      return { id, failure: failureOf(err, 'LOAD_FAILED') };
    }
  }));
}

async function shutdown(task: ShutdownTask, scopes: GrantScopes): Promise<string[]> {
  const arrived = new Int32Array(task.barrier);
  Atomics.add(arrived, 0, 1);
  const deadline = Date.now() + 1000;
  while (Atomics.load(arrived, 0) < task.workers && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  // all at once, each bounded by the loader: one plugin's slow shutdown does not cost the others theirs
  const problems: string[] = [];
  await Promise.all([...loadedPlugins()].map(async ([id, loading]) => {
    try {
      await scopes.within(id, async () => (await loading).shutdown());
    } catch (err) {
      problems.push(toFailure(err).message);
    }
  }));
  return problems;
}
