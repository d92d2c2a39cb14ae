import type { Failure } from '../runtime/errors.js';
import type { ChainTask, LoadTask, PoolData } from './protocol.js';

/**
 * Messages between the host and a plugin process (`isolation: process`). Shared memory cannot cross a process
 * boundary, so the child makes a chain task's progress record and a shutdown task's barrier itself: with one
 * task at a time per process, the host never needs to read them.
 */
export type ProcessTask = Omit<ChainTask, 'progress'> | LoadTask | { op: 'shutdown' };

export type ToChild =
  | { type: 'init'; data: PoolData }
  | { type: 'task'; seq: number; task: ProcessTask };

export type FromChild =
  | { type: 'ready' }
  | { type: 'reply'; seq: number; ok: true; value: unknown }
  | { type: 'reply'; seq: number; ok: false; failure: Failure };
