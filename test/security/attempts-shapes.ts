/**
 * Class 2 of issue 11: plugin-shaped values whose walking, stringifying or measuring would cost more than their size,
 * or reach V8's fatal paths. Each one goes through every path a plugin value takes (its result, its contexts, its
 * console, the store) and must be refused or bounded there, with the host alive and the call settled.
 */
import assert from 'node:assert/strict';
import type { Attempt } from './escape-modules.js';

const hook = (body: string, async = '') => `export default (config) => ({ ${async} tool_pre_invoke(payload, context) {\n${body}\n} });\n`;

/** Shapes every attempt builds: 600 references to one 1 MiB string (600 MiB of JSON), holey or not; a huge sparse array. */
const SHAPES = `
const big = 'x'.repeat(1 << 20);
const manyRefs = () => new Array(600).fill(big);
const holeyRefs = () => { const a = new Array(600).fill(big); delete a[599]; return a; };
const sparse = () => { const a = []; a.length = 2 ** 32 - 1; a[7] = 'seven'; return a; };
`;

const invalid = { code: 'INVALID_RESULT' };

export const SHAPE_ATTEMPTS: Attempt[] = [
  {
    id: 'shape-holey-refs', title: 'metadata: a holey array of 600 references to a 1 MiB string (JSON.stringify of it aborts V8)',
    module: () => SHAPES + hook(`return { metadata: { [NAME]: 'x', list: holeyRefs() } };`),
    fails: invalid,
  },
  {
    id: 'shape-many-refs', title: 'metadata: 600 references to a 1 MiB string, no hole (600 MiB to write, clone or measure)',
    module: () => SHAPES + hook(`return { metadata: { [NAME]: 'x', list: manyRefs() } };`),
    fails: invalid,
  },
  {
    id: 'shape-sparse-unknown-key', title: 'an unknown result key holding a sparse array of length 2^32-1 (walked on the host before)',
    module: () => SHAPES + hook(`return { extra: sparse(), metadata: { [NAME]: 'x' } };`),
    fails: invalid,
  },
  {
    id: 'shape-sparse-payload', title: 'a modified payload whose args hold a sparse array of length 2^32-1',
    module: () => SHAPES + hook(`return { modified_payload: { ...payload, args: { list: sparse() } }, metadata: { [NAME]: 'x' } };`),
    fails: invalid,
  },
  {
    id: 'shape-hole', title: 'a small array with one hole in the metadata (holes are not plain data)',
    module: () => hook(`return { metadata: { [NAME]: 'x', list: [1, , 3] } };`),
    fails: invalid,
  },
  {
    id: 'shape-array-props', title: 'an array with an own `every` and `constructor` beside its elements, in the modified payload',
    module: () => hook(`const list = [1, 2];
      Object.defineProperty(list, 'every', { value: 'not a function', enumerable: true });
      Object.defineProperty(list, 'constructor', { value: { x: 1 }, enumerable: true });
      return { modified_payload: { ...payload, args: { list } }, metadata: { [NAME]: 'returned' } };`),
    verify: (seen) => {
      const list = (seen.result!.modified_payload as { args: { list: unknown[] } }).args.list;
      assert.deepEqual(Reflect.ownKeys(list), ['0', '1', 'length'], 'the copy has its elements only');
    },
  },
  {
    id: 'shape-context-sparse', title: 'its local and global context state set to sparse arrays of length 2^32-1',
    module: () => SHAPES + hook(`context.state.list = sparse(); context.global_context.state.list = sparse(); return { metadata: { [NAME]: 'x' } };`),
    fails: invalid,
  },
  {
    id: 'shape-context-refs', title: 'its global context state set to 600 references to a 1 MiB string',
    module: () => SHAPES + hook(`context.global_context.state.list = manyRefs(); return { metadata: { [NAME]: 'x' } };`),
    fails: invalid,
  },
  {
    id: 'shape-species', title: "an empty array whose constructor[Symbol.species] makes a map() 'copy' an object with a live getter",
    module: () => hook(`let reads = 0;
      const list = [];
      Object.defineProperty(list, 'constructor', { value: { [Symbol.species]: function () {
        return Object.defineProperty({}, 'card', { enumerable: true, get() { return reads++ ? '4111-1111-1111-1111' : 'clean'; } });
      } } });
      return { modified_payload: { ...payload, args: { list } }, metadata: { [NAME]: 'species' } };`),
    followers: [{ name: 'shape-species-dlp', body: () => `return 'dlp saw ' + JSON.stringify(payload.args);` }],
    verify: (seen) => {
      assert.deepEqual((seen.result!.modified_payload as { args: unknown }).args, { list: [] });
      assert.equal(seen.reports['shape-species-dlp'], 'dlp saw {"list":[]}', 'the next plugin sees what the caller gets');
    },
  },
  {
    id: 'shape-console', title: 'console.log of the holey and plain many-references arrays, a 2^32-1 sparse array, a cycle and a getter',
    module: () => SHAPES + hook(`const cycle = { get secret() { return 'getter ran'; } }; cycle.self = cycle;
      console.log(holeyRefs()); console.log(manyRefs()); console.log(sparse()); console.log('cycle', cycle);
      return report('logged');`),
    verify: (seen) => {
      const lines = seen.logs.filter((l) => l.includes('[shape-console]'));
      assert.ok(lines.length >= 2, seen.logs.join('\n'));
      for (const line of lines) assert.ok(line.length < 10_000, `a ${line.length}-character console line`);
      assert.ok(!seen.logs.some((l) => l.includes('getter ran')), 'the console ran a getter');
    },
  },
  {
    id: 'shape-store', title: 'store.set of the many-references array, the sparse array, a holey array and a Map',
    capabilities: () => ({ store: true }),
    module: () => SHAPES + hook(`const out = [];
      for (const [key, value] of [['refs', manyRefs()], ['holey', holeyRefs()], ['sparse', sparse()], ['hole', [1, , 3]], ['map', new Map([[1, 2]])]]) {
        try { await store.set(key, value); out.push(key + ' stored'); } catch (e) { out.push(key + ' refused'); }
      }
      out.push('kept ' + JSON.stringify(await store.get('refs')));
      return report(out.join(', '));`, 'async'),
    verify: (seen) => assert.equal(seen.reports['shape-store'], 'refs refused, holey refused, sparse refused, hole refused, map refused, kept null'),
  },
];
