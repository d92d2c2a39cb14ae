import type { Failure } from './failures.js';
import type { ChainTask, LoadTask, PoolData } from './protocol.js';

/**
 * Messages between the host and a plugin process (`isolation: process`). Shared memory cannot cross a process
 * boundary, so the child makes a chain task's progress record and a shutdown task's barrier itself: with one
 * task at a time per process, the host never needs to read them.
 */
export type ProcessTask = Omit<ChainTask, 'progress'> | LoadTask | { op: 'shutdown' };

/**
 * `store` carries the manager's store traffic, which threads exchange over a BroadcastChannel that does not reach
 * another process: the child relays its plugins' requests, and the host answers each with its pool's binding (the
 * child's IPC channel is the identity), sending the reply to that child only.
 */
export type ToChild =
  | { type: 'init'; data: PoolData }
  | { type: 'task'; seq: number; task: ProcessTask }
  | { type: 'store'; message: unknown };

export type FromChild =
  | { type: 'ready' }
  | { type: 'store'; message: unknown }
  | { type: 'reply'; seq: number; ok: true; value: unknown }
  | { type: 'reply'; seq: number; ok: false; failure: Failure };
