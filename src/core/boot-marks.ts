/**
 * Which of a pool's worker threads have finished booting (SES, lockdown, their plugins' loads). A worker marks
 * itself; the host reads the marks to stop a worker whose boot never ends (a plugin factory that loops), which
 * would otherwise never be handed a run, and so never be stopped by a run's timeout. One slot per thread id modulo
 * the size: a pool holds a few workers at a time and thread ids only grow, so two live workers sharing a slot would
 * take 256 worker replacements between them.
 */
const SLOTS = 256;

export const newBootMarks = (): SharedArrayBuffer => new SharedArrayBuffer(SLOTS * 4);

export function markBooted(marks: SharedArrayBuffer, threadId: number): void {
  Atomics.store(new Int32Array(marks), threadId % SLOTS, threadId);
}

export function isBooted(marks: SharedArrayBuffer, threadId: number): boolean {
  return Atomics.load(new Int32Array(marks), threadId % SLOTS) === threadId;
}
