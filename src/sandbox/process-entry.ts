import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { toFailure } from '../core/failures.js';
import { createHandler } from './handler.js';
import type { FromChild, ProcessTask, ToChild } from '../core/process-protocol.js';
import { ProgressBuffers } from '../core/progress.js';
import type { WorkerTask } from '../core/protocol.js';

/**
 * Entry of a plugin process (`isolation: process`): the same task handler as a worker thread, fed over IPC. It
 * stays trivial for the same reason as the thread entry: plugin code is only loaded inside a task.
 */
let handle: ((task: WorkerTask) => Promise<unknown>) | undefined;
const buffers = new ProgressBuffers();

const send = (message: FromChild) => process.send!(message);

let store: BroadcastChannel | undefined;

process.on('message', (message: ToChild) => {
  if (message.type === 'init') {
    // the store channel inside this process joins our plugins' clients to the relay; the host answers over IPC
    const data = { ...message.data, storeChannel: `cordon-process-store-${randomUUID()}` };
    handle = createHandler(data).handle;
    store = storeRelay(data.storeChannel);
    send({ type: 'ready' });
  } else if (message.type === 'store') {
    store?.postMessage(message.message);
  } else {
    void run(message.seq, message.task);
  }
});

/** The store's channel inside this process: our plugins' requests go up to the host, its replies come back down. */
function storeRelay(name: string): BroadcastChannel {
  const channel = new BroadcastChannel(name);
  channel.onmessage = (event) => {
    const data = (event as MessageEvent).data as { kind?: unknown };
    if (data?.kind === 'request') send({ type: 'store', message: data });
  };
  channel.unref();
  return channel;
}
// A rejection no one handles (a plugin's stray promise) would end the process by Node's default, failing whichever
// call it runs then, possibly another plugin's. No plugin is waiting on it, so it is dropped, as in a thread.
process.on('unhandledRejection', () => {});
// the host is gone (or closed the channel): nothing will ever ask this process for anything again
process.on('disconnect', () => process.exit(0));

async function run(seq: number, task: ProcessTask): Promise<void> {
  try {
    if (!handle) throw new Error('task before init');
    const local = localTask(task);
    const value = await handle(local);
    if (local.op === 'chain') buffers.release(local.progress);
    send({ type: 'reply', seq, ok: true, value });
  } catch (err) {
    send({ type: 'reply', seq, ok: false, failure: toFailure(err, 'POOL_ERROR') });
  }
}

function localTask(task: ProcessTask): WorkerTask {
  if (task.op === 'chain') return { ...task, progress: buffers.acquire() };
  if (task.op === 'shutdown') return { op: 'shutdown', barrier: new SharedArrayBuffer(4), workers: 1 };
  return task;
}
