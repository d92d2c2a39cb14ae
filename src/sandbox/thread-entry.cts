/*
 * The Piscina entry, in CommonJS on purpose: Piscina require()s its worker file, and on Node >= 20.19 an ES module
 * loaded that way (require(esm)) and plugin modules loaded later by import() intermittently collided ("Unexpected
 * status of a module that is imported again after being required"). Here every ES module is loaded by import().
 * Nothing may throw at load either: Piscina then hangs later tasks instead of failing them.
 */
import piscina = require('piscina');
import type { WorkerTask } from '../core/protocol.js';

// A rejection no one handles (a plugin's stray promise) would end the worker by Node's default, failing whichever
// call is running then: another plugin's. No plugin is waiting on it, so it is dropped instead.
process.on('unhandledRejection', () => {});

const handler = import('./handler.js').then(({ createHandler }) => createHandler(piscina.workerData));
// a failed import is reported by every task; this keeps it from also being an unhandled rejection
handler.catch(() => {});

export = async function handle(task: WorkerTask): Promise<unknown> {
  return (await handler)(task);
};
