/**
 * Manager-level attempts on a plugin's console and on what it leaves running after its hook returned: console
 * lines must stay bounded, escaped and attributed to their own plugin; stray work must not crash or stall anyone.
 * RUNAWAY_ATTEMPTS stop their worker, so they run in a group of their own with a short timeout.
 */
import assert from 'node:assert/strict';
import type { Attempt } from './escape-modules.js';

const hook = (body: string) => `export default { async tool_pre_invoke(payload, context) {\n${body}\n} };\n`;
const fetchGrant = (w: { grantedOrigin: string }) => ({ fetch: [w.grantedOrigin] });

export const LIFETIME_ATTEMPTS: Attempt[] = [
  {
    id: 'console-flood', title: 'exhaust the console: 10,000 lines with forged newlines and terminal escapes, then 1 MB',
    module: () => hook(`for (let i = 0; i < 10000; i++) console.log('line ' + i + '\\n[inspector] forged \\u001b[31mred \\u2028');
      console.error('x'.repeat(1 << 20));
      return report('flooded');`),
    verify: (seen) => {
      const mine = seen.logs.filter((l) => l.includes('[console-flood]'));
      assert.ok(mine.length <= 51, `${mine.length} lines reached the logger`);
      assert.match(mine.at(-1)!, /further console output dropped/);
      const bytes = mine.reduce((n, l) => n + Buffer.byteLength(l), 0);
      assert.ok(bytes < 8 * 1024 + 51 * 40, `${bytes} bytes reached the logger`);
      assert.ok(mine.every((l) => !/[\n\r\u001b\u2028]/.test(l)), 'a control character (a forged line, a terminal escape) reached the logger');
    },
  },
  {
    id: 'late-console', title: 'console calls from a fetch and a promise chain that outlive the hook (attributed to it, or dropped)',
    capabilities: fetchGrant,
    module: (w) => hook(`fetch('${w.grantedOrigin}/slow?ms=150').then(() => console.log('LATE-FETCH'), () => console.log('LATE-FETCH-FAILED'));
      let p = Promise.resolve(); for (let i = 0; i < 500; i++) p = p.then(() => {});
      p.then(() => console.log('LATE-MICROTASK'));
      return report('returned before its late console calls');`),
    verify: async (_seen, run) => {
      // a neighbour on the same worker is busy when the late lines come
      const victim = await run.invoke('late-console-victim');
      assert.equal(victim.reports['late-console-victim'], 'waited');
      const late = run.logLines().filter((l) => l.includes('LATE-'));
      assert.ok(late.every((l) => l.includes('[late-console] ')), `a late line was attributed to another plugin: ${late.join(' / ')}`);
      assert.ok(victim.logs.some((l) => l.includes('[late-console-victim] victim-start')), 'the neighbour lost its own console');
    },
  },
  {
    id: 'fetch-after-return', title: 'return while a granted fetch and an ungranted one are still pending (both die with the invocation)',
    capabilities: fetchGrant,
    module: (w) => hook(`fetch('${w.grantedOrigin}/slow?ms=100').then((r) => r.text()).then((t) => { globalThis.afterReturn = t; });
      fetch('http://127.0.0.1:' + PORT + '/').then(() => { globalThis.afterReturn = 'ESCAPED fetched'; }, () => {});
      return report('left fetches pending; earlier: ' + globalThis.afterReturn);`),
    verify: async (_seen, run) => {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const again = await run.invoke('fetch-after-return');
      // the granted fetch was aborted when the invocation settled: its continuation never ran
      assert.equal(again.reports['fetch-after-return'], 'left fetches pending; earlier: undefined');
    },
  },
  {
    id: 'gc-callbacks', title: 'FinalizationRegistry or WeakRef, to run code after the hook returned, whenever GC decides',
    body: () => `return [typeof FinalizationRegistry, typeof WeakRef].every((t) => t === 'undefined') ? 'blocked: absent' : 'ESCAPED present';`,
  },
  {
    id: 'shutdown-use', title: 'use(globalThis) from its shutdown() and throw what it got (checked at shutdown)',
    module: () => `export default { tool_pre_invoke() { return report('waiting for shutdown'); },
  shutdown() { throw new Error('shutdown report: ' + use(globalThis)); } };\n`,
  },
];

/** A neighbour for late-console: it is running (awaiting a slow granted fetch) when the late lines are written. */
export function lateConsoleVictim(grantedOrigin: string): string {
  return `export default { async tool_pre_invoke() { console.log('victim-start'); await fetch('${grantedOrigin}/slow?ms=400');
  console.log('victim-end'); return { metadata: { 'late-console-victim': 'waited' } }; } };\n`;
}

export const VICTIM = `export default { tool_pre_invoke() { return { metadata: { victim: 'ok' } }; } };\n`;

/** A neighbour that is still running (awaiting a slow granted fetch) when a delayed stray rejection fires. */
export function slowVictim(grantedOrigin: string): string {
  return `export default { async tool_pre_invoke() { await fetch('${grantedOrigin}/slow?ms=400'); return { metadata: { 'slow-victim': 'done' } }; } };\n`;
}

/**
 * Plugins that return at once get a long timeout of their own: the first call on a replacement worker waits for it
 * to boot, and that wait counts against the plugin's timeout.
 */
const patient = () => ({ timeout: 5 });

export const RUNAWAY_ATTEMPTS: Attempt[] = [
  { id: 'busy-loop', title: 'a busy loop in a sandboxed hook', module: () => hook('for (;;) {}'), fails: { code: 'PLUGIN_TIMEOUT' } },
  {
    id: 'catastrophic-regex', title: 'exponential backtracking in the regex engine',
    module: () => hook(`return report(/^(a+)+$/.test('a'.repeat(40) + '!'));`), fails: { code: 'PLUGIN_TIMEOUT' },
  },
  {
    id: 'microtask-storm', title: 'an endless promise chain left running after the hook returned',
    module: () => hook(`const loop = () => Promise.resolve().then(loop); loop(); return report('returned, storm left behind');`),
    entry: patient,
  },
  {
    id: 'unhandled-rejection', title: 'an unhandled rejection carrying a forged log line, left behind after the hook returned',
    module: () => hook(`Promise.reject(new Error('stray rejection\\n[victim] forged line')); return report('returned, rejection left behind');`),
    entry: patient,
  },
  {
    id: 'delayed-rejection', title: 'a rejection left unhandled after a granted fetch settles, long after the hook returned',
    capabilities: fetchGrant,
    entry: patient,
    module: (w) => hook(`fetch('${w.grantedOrigin}/slow?ms=' + payload.args.ms).then(() => {
        throw new Error('y'.repeat(payload.args.pad) + 'stray rejection\\n[victim] forged line'); });
      return report('returned, rejection scheduled');`),
  },
  {
    id: 'deferred-busy-loop', title: 'a busy loop deferred by a few microtasks, so it starts after the hook returned',
    module: () => hook(`let p = Promise.resolve(); for (let i = 0; i < 5; i++) p = p.then(() => {}); p.then(() => { for (;;) {} });
      return report('returned, loop deferred');`),
    entry: patient,
    followers: [{ name: 'deferred-busy-loop-neighbour', body: () => `return 'neighbour ran';` }],
  },
];
