import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { parseCpuList, pinThreads, unpinThreads } from '../../bench/cpu-placement.js';

function allowedList(tid: number): number[] {
  const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
  return parseCpuList(/^Cpus_allowed_list:\s*(.+)$/m.exec(status)![1]!);
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('parseCpuList', () => {
  it('reads single CPUs and ranges', () => {
    assert.deepEqual(parseCpuList('0,1'), [0, 1]);
    assert.deepEqual(parseCpuList(' 0-3,8\n'), [0, 1, 2, 3, 8]);
    assert.deepEqual(parseCpuList('5'), [5]);
  });

  it('refuses what is not a CPU list', () => {
    assert.throws(() => parseCpuList('zero'), /not a CPU list/);
  });
});

describe('pinThreads / unpinThreads', () => {
  it('splits the main thread from every other thread, then spreads them again (or says why it cannot)', async () => {
    const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
    await new Promise((resolve) => worker.once('online', resolve));
    try {
      const pinned = pinThreads();
      if (process.platform !== 'linux' || !hasTaskset()) {
        assert.equal(pinned.active, false);
        assert.match(pinned.note, /Linux|taskset/);
        return;
      }
      if (!pinned.active) {
        assert.match(pinned.note, /only 1 CPU/);
        return;
      }
      const [main, other] = pinned.cpus;
      assert.equal(pinned.mode, 'split');
      assert.deepEqual(allowedList(process.pid), [main]);
      const others = readdirSync('/proc/self/task').map(Number).filter((t) => t !== process.pid);
      assert.ok(others.length > 0 && pinned.threads >= 2);
      for (const tid of others) assert.deepEqual(allowedList(tid), [other]);

      const spread = unpinThreads();
      assert.equal(spread.mode, 'spread');
      assert.ok(spread.cpus.length >= 2 && spread.cpus.includes(main!) && spread.cpus.includes(other!));
      assert.deepEqual(allowedList(process.pid), spread.cpus);
      for (const tid of others) assert.deepEqual(allowedList(tid), spread.cpus);
    } finally {
      unpinThreads();
      await worker.terminate();
    }
  });
});
