import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fixture } from '../helpers.js';
import { cleanPrefix, MACHINE_REDIS, testPrefix } from './redis.js';

interface Instance {
  ready: Promise<void>;
  go(): void;
  result: Promise<{ allowed: number; blocked: number; codes: string[] }>;
}

/** One gateway instance: a child process with its own manager, started now, firing its calls on go(). */
function instance(isolation: 'sandbox' | 'process', prefix: string, calls: number, rate: string): Instance {
  const child = spawn(process.execPath, [fixture('scripts/fleet_rate_limit.mjs'), isolation, MACHINE_REDIS, prefix, String(calls), rate], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the ${isolation} instance exited with ${code}: ${stderr}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000); // a hung child fails the test, never the run
  const ready = next().then((line) => assert.equal(line, 'ready'));
  const result = ready.then(next).then(async (line) => {
    await once(child, 'exit');
    clearTimeout(timer);
    return JSON.parse(line);
  });
  result.catch(() => clearTimeout(timer));
  return { ready, go: () => child.stdin.end('go\n'), result };
}

test('two managers in two processes (2 sandbox workers; a process plugin) share one Redis: a limit of 50 across 200 concurrent calls admits exactly 50', async () => {
  const prefix = testPrefix('fleet');
  try {
    const a = instance('sandbox', prefix, 100, '50/m');
    const b = instance('process', prefix, 100, '50/m');
    await Promise.all([a.ready, b.ready]);
    a.go();
    b.go();
    const [ra, rb] = await Promise.all([a.result, b.result]);
    assert.equal(ra.allowed + rb.allowed, 50, `admitted ${ra.allowed} + ${rb.allowed}`);
    assert.equal(ra.blocked + rb.blocked, 150);
    assert.deepEqual([...new Set([...ra.codes, ...rb.codes])], ['RATE_LIMITED'], 'every refusal is the limit, none an unavailable backend');
  } finally {
    await cleanPrefix(prefix);
  }
});
