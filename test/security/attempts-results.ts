/**
 * Manager-level attempts through what a plugin returns or throws: nothing of it may reach the host except plain data,
 * and no plugin code may run on the host. Every hostile member calls `use(globalThis)`: run on the host, that would
 * write the canary, spawn, connect, print the token and pollute the host's Object.prototype.
 */
import assert from 'node:assert/strict';
import type { Attempt } from './escape-modules.js';
import { impurities } from './escape-world.js';

const hook = (body: string) => `export default { tool_pre_invoke(payload, context) {\n${body}\n} };\n`;

/** Values that are not plain data, each returned as metadata: the result must be refused as INVALID_RESULT. */
const EXOTIC: Record<string, string> = {
  date: 'new Date(0)', map: 'new Map([[1, 2]])', 'typed-array': 'new Uint8Array(4)', bigint: '10n', symbol: "Symbol('s')",
  nan: 'NaN', error: "new Error('e')", cycle: '(() => { const o = {}; o.o = o; return o; })()',
  deep: "JSON.parse('['.repeat(5000) + ']'.repeat(5000))", regexp: '/x/g',
};

export const RESULT_ATTEMPTS: Attempt[] = [
  {
    id: 'result-proto-key', title: 'a result whose payload and metadata carry own __proto__ keys (JSON.parse makes them)',
    module: () => hook(`return JSON.parse('{"modified_payload": {"name": ' + JSON.stringify(payload.name) + ', "args": {"__proto__": {"polluted": "yes"}, "ok": 1}},'
      + ' "metadata": {"__proto__": {"polluted": "yes"}, "' + NAME + '": "returned __proto__ keys"}}');`),
    verify: async (seen, run) => {
      // invokeHookForPlugin returns the payload as the plugin shaped it, without the policy filter's merge
      const single = await run.manager.invokeHookForPlugin('result-proto-key', 'tool_pre_invoke', { name: 'result-proto-key', args: {} }, { request_id: 'single' });
      for (const result of [seen.result!, single]) {
        const args = (result.modified_payload as { args: Record<string, unknown> }).args;
        assert.equal(Object.getPrototypeOf(args), Object.prototype);
        assert.deepEqual(Reflect.ownKeys(args), ['ok'], 'the rest of the modification still comes through');
        assert.equal(args.polluted, undefined);
        assert.equal(result.metadata.polluted, undefined);
      }
      assert.deepEqual(impurities(single, 'invokeHookForPlugin result'), []);
      assert.equal((({}) as Record<string, unknown>).polluted, undefined);
    },
  },
  {
    id: 'result-getters', title: 'getters on the result, its metadata and a payload field, hoping the host reads them',
    module: () => hook(`let calls = 0;
      const args = {}; Object.defineProperty(args, 'x', { enumerable: true, get() { calls++; return 'getter: ' + use(globalThis); } });
      return { get modified_payload() { calls++; return { name: payload.name, args }; },
        get metadata() { calls++; return { get [NAME]() { return 'getters ran in the worker (' + calls + ' so far): ' + use(globalThis); } }; } };`),
    verify: (seen) => {
      assert.equal((seen.result!.modified_payload as { args: { x: string } }).args.x, 'getter: blocked: nothing process-like');
      assert.match(String(seen.reports['result-getters']), /^getters ran in the worker .*blocked: nothing process-like$/);
    },
  },
  {
    id: 'result-tojson', title: 'a toJSON on the result and in its metadata, for a host JSON.stringify (the size check) to call',
    module: () => hook(`return { toJSON() { return use(globalThis); }, metadata: { [NAME]: { toJSON() { return use(globalThis); } } } };`),
    fails: { code: 'INVALID_RESULT' },
  },
  {
    id: 'result-thenable', title: 'a thenable as the result, so whoever awaits it runs plugin code',
    module: () => hook(`return { then(resolve) { resolve(report('then() ran in the worker: ' + use(globalThis))); } };`),
    verify: (seen) => assert.equal(seen.reports['result-thenable'], 'then() ran in the worker: blocked: nothing process-like'),
  },
  {
    id: 'result-nested-thenable', title: 'a thenable inside the metadata, for a host await to call',
    module: () => hook(`return { metadata: { [NAME]: { then(resolve) { resolve(use(globalThis)); } } } };`),
    fails: { code: 'INVALID_RESULT' },
  },
  {
    id: 'result-proxy', title: 'a Proxy as the result and as its metadata, whose traps run wherever the result is read',
    module: () => hook(`const seen = [];
      const meta = new Proxy({ [NAME]: '' }, { get(t, k) { return k === NAME ? 'traps ran in the worker: ' + seen.join(',') + ' / ' + use(globalThis) : undefined; } });
      return new Proxy({ metadata: meta }, {
        ownKeys(t) { seen.push('ownKeys'); return Reflect.ownKeys(t); },
        get(t, k) { seen.push('get ' + String(k)); return Reflect.get(t, k); },
        getPrototypeOf() { seen.push('getPrototypeOf'); return Object.prototype; },
      });`),
    verify: (seen) => assert.match(String(seen.reports['result-proxy']), /^traps ran in the worker: .*getPrototypeOf.* \/ blocked: nothing process-like$/),
  },
  {
    id: 'result-valueof', title: 'continue_processing as an object whose valueOf would decide the block on the host',
    module: () => hook(`return { continue_processing: { valueOf() { use(globalThis); return false; } }, metadata: { [NAME]: 'x' } };`),
    fails: { code: 'INVALID_RESULT' },
  },
  {
    id: 'result-wrong-types', title: 'plain data of the wrong types (a string for continue_processing, a string violation)',
    module: () => hook(`return { continue_processing: 'no', violation: 'blocked', metadata: { [NAME]: 'x' } };`),
    fails: { code: 'INVALID_RESULT' },
  },
  {
    id: 'result-function', title: 'a function in the metadata, for the host to call',
    module: () => hook(`return { metadata: { [NAME]: () => use(globalThis) } };`),
    fails: { code: 'INVALID_RESULT' },
  },
  {
    id: 'result-class-instance', title: 'a class instance with a getter as the modified payload',
    module: () => `class Payload { constructor(name) { this.name = name; this.args = {}; } get extra() { return use(globalThis); } }
${hook('return { modified_payload: new Payload(payload.name), metadata: { [NAME]: "x" } };')}`,
    fails: { code: 'INVALID_RESULT' },
  },
  ...Object.entries(EXOTIC).map(([kind, expr]): Attempt => ({
    id: `result-exotic-${kind}`, title: `a ${kind} in the metadata (not plain data)`,
    module: () => hook(`return { metadata: { [NAME]: ${expr} } };`),
    fails: { code: 'INVALID_RESULT' },
  })),
  {
    id: 'result-normalized', title: 'a null-prototype object, symbol keys and undefined: accepted only as plain host data (holes: shape-hole)',
    module: () => hook(`const bare = Object.create(null); bare.x = 1;
      return { metadata: { [NAME]: 'odd shapes', bare, keyed: { [Symbol('s')]: 1, c: 1 }, nulls: [undefined, 1], none: undefined } };`),
    verify: (seen) => {
      const m = seen.result!.metadata as { bare: object; keyed: object; nulls: unknown[] };
      assert.deepEqual(m.bare, { x: 1 });
      assert.equal(Object.getPrototypeOf(m.bare), Object.prototype);
      assert.deepEqual(Reflect.ownKeys(m.keyed), ['c']);
      assert.deepEqual(m.nulls, [null, 1]);
      assert.ok(!('none' in m));
    },
  },
  {
    id: 'throw-tostring', title: 'throw a plain object whose toString and message getter would run on the host',
    module: () => hook(`throw { toString() { return 'toString ran: ' + use(globalThis); }, get message() { return use(globalThis); } };`),
    fails: {},
  },
  {
    id: 'throw-error-getters', title: 'throw an Error whose message getter returns a function (not cloneable)',
    module: () => hook(`const e = new Error('x'); Object.defineProperty(e, 'message', { get() { use(globalThis); return () => use(globalThis); } }); throw e;`),
    fails: {},
  },
  {
    id: 'throw-proxy', title: 'throw a Proxy whose traps throw an uncloneable object, so describing the error fails',
    module: () => hook(`throw new Proxy({}, { getPrototypeOf() { throw { toString() { return use(globalThis); }, f: () => use(globalThis) }; },
      get() { throw () => use(globalThis); } });`),
    fails: {},
  },
  {
    id: 'throw-function', title: 'throw a function, for the host to call or stringify',
    module: () => hook(`throw () => use(globalThis);`),
    fails: {},
  },
  {
    id: 'throw-huge-message', title: 'throw a 1 MB message with a forged log line in it',
    module: () => hook(`throw new Error('x'.repeat(1 << 20) + '\\n[inspector] forged line');`),
    fails: {},
    verify: (seen) => assert.ok((seen.error as Error).message.length < 20_000, 'the failure message is not bounded'),
  },
];
