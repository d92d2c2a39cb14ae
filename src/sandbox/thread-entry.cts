/*
 * The Piscina entry, in CommonJS on purpose: Piscina require()s its worker file, and on Node >= 20.19 an ES module
 * loaded that way (require(esm)) and plugin modules loaded later by import() intermittently collided ("Unexpected
 * status of a module that is imported again after being required"). Here every ES module is loaded by import().
 * Nothing may throw at load either: Piscina then hangs later tasks instead of failing them.
 */
import piscina = require('piscina');
import { threadId } from 'node:worker_threads';
import type { WorkerTask } from '../core/protocol.js';

// A rejection no one handles (a plugin's stray promise) would end the worker by Node's default, failing whichever
// call is running then: another plugin's. No plugin is waiting on it, so it is dropped instead.
process.on('unhandledRejection', () => {});

/**
 * Piscina awaits a promised handler before it counts a worker as ready, so no run is handed to a worker still
 * booting (SES, lockdown, its plugins' loads): after a runaway's worker is replaced, the next call goes to a warm
 * worker instead of waiting for the new one. The promise never rejects (Piscina would end and replace the worker,
 * in a loop): a failed boot gives a handler whose every task reports the failure.
 */
const { booted } = piscina.workerData as { booted: SharedArrayBuffer };
const ready = (async () => {
  let handle: (task: WorkerTask) => Promise<unknown>;
  try {
    const { createHandler } = await import('./handler.js');
    const handler = createHandler(piscina.workerData);
    await handler.ready;
    handle = handler.handle;
  } catch (err) {
    handle = () => Promise.reject(err);
  }
  try {
    // booted, well or not: the host's boot watchdog leaves this worker alone from now on
    (await import('../core/boot-marks.js')).markBooted(booted, threadId);
  } catch {
    // unmarked, the watchdog stops this worker once the load allowance has passed, and another one starts
  }
  return handle;
})();

// __esModule: Piscina's require() wrapper then reads `default` from this object, not from a copy that nests it
export = { __esModule: true, default: ready };
