/**
 * Attempts on the lifetime of grants (issue 11, class 3) and on the store's identity and quotas (class 4), by
 * sandboxed plugins of the manager-level suite. Each would show as a count that moves after its invocation settled,
 * a neighbour's secret in a report, or a neighbour's counter refused.
 */
import assert from 'node:assert/strict';
import type { Attempt } from './escape-modules.js';

const store = () => ({ store: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const GRANT_ATTEMPTS: Attempt[] = [
  {
    id: 'store-loop-after-return', title: 'go on counting in the store after the hook returned, resuming on every failure',
    capabilities: store,
    body: () => `if (payload.args.read) return 'count ' + await store.get('n');
      const loop = () => store.incr('n', 60000).then(loop, loop); loop();
      return 'looping';`,
    verify: async (_seen, run) => {
      await sleep(100);
      const read = async () => (await run.invoke('store-loop-after-return', { args: { read: true } })).reports['store-loop-after-return'];
      const first = await read();
      await sleep(300);
      assert.equal(await read(), first, 'the loop went on counting after its invocation settled');
    },
  },
  {
    id: 'refusal-spin', title: 'after return, await the store in an endless loop that swallows every refusal (a spin if refusals threw)',
    capabilities: store,
    body: () => `(async () => { for (let i = 0; ; i++) { try { await store.get('x'); } catch { } } })();
      return 'spinning';`,
    verify: async (_seen, run) => {
      const next = await run.invoke('victim-of-leftovers');
      assert.equal(next.error, undefined);
      assert.ok(next.ms < 1000, `the next call took ${next.ms} ms`);
    },
  },
  {
    id: 'foreign-namespace', title: "reach a neighbour's store keys through the key: NUL separators, prefixes, paths, a key object",
    capabilities: store,
    body: () => `const tries = ['foreign-namespace-victim\\u0000secret', '\\u0000foreign-namespace-victim\\u0000secret', '../foreign-namespace-victim/secret',
        'foreign-namespace-victim/secret', { toString: () => 'foreign-namespace-victim\\u0000secret' }, 'secret'];
      const seen = [];
      for (const key of tries) { try { seen.push(String(await store.get(key))); } catch (e) { seen.push('refused: ' + e.message); } }
      return seen.join(' | ');`,
    followers: [{ name: 'foreign-namespace-victim', body: () => `await store.set('secret', 'VICTIM-' + 'SECRET'); return 'set';`, capabilities: store }],
    verify: async (_seen, run) => {
      // the first run set the neighbour's secret after the attempt ran; the second looks for it
      const again = await run.invoke('foreign-namespace');
      assert.doesNotMatch(String(again.reports['foreign-namespace']), /VICTIM-SECRET/);
    },
  },
  {
    id: 'store-flood', title: "fill the store with 64 KiB values until refused, so a neighbour's counters fail",
    capabilities: store,
    body: () => `const value = 'v'.repeat(60000); let stored = 0, refusal = 'none';
      for (let i = 0; i < 400 && refusal === 'none'; i++) { try { await store.set('k' + i, value); stored++; } catch (e) { refusal = e.message; } }
      return stored + ' stored, then: ' + refusal;`,
    followers: [{ name: 'store-flood-neighbour', body: () => `return 'counted ' + await store.incr('n', 60000);`, capabilities: store }],
    verify: (seen) => {
      assert.match(String(seen.reports['store-flood']), /^\d+ stored, then: .*over its quota/);
      assert.equal(seen.reports['store-flood-neighbour'], 'counted 1');
    },
  },
];

/** A plugin with nothing to do, which must run at once after a leftover of another plugin. */
export const LEFTOVER_VICTIM = `export default { tool_pre_invoke() { return { metadata: { 'victim-of-leftovers': 'ok' } }; } };\n`;
