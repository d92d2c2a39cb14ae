/**
 * The plain-data walks (src/core/plain-data.ts): what they accept and refuse, that their JSON sizes are exact, and that
 * their work is bounded by a value's real size whatever its shape (refused before any iteration of a huge length).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonBytes } from '../../src/core/json-bytes.js';
import { assertPlainData, copyPlain, NotPlainDataError, plainEqual, toPlainData } from '../../src/core/plain-data.js';

const refused = (f: () => unknown, why: RegExp) => assert.throws(f, (err: unknown) => err instanceof NotPlainDataError && why.test(err.message));

/** A sparse array of the longest length there is, with one element. */
function sparse(): unknown[] {
  const a: unknown[] = [];
  a.length = 2 ** 32 - 1;
  a[3] = 'x';
  return a;
}

describe('plain data: what is refused, before anything iterates it', () => {
  for (const [name, walk] of [['toPlainData', (v: unknown) => toPlainData(v)], ['assertPlainData', (v: unknown) => assertPlainData(v)],
    ['jsonBytes', (v: unknown) => jsonBytes(v)]] as const) {
    it(`${name}: holes, huge lengths, many references to one large string, extra array properties, exotic objects`, () => {
      refused(() => walk({ a: [1, , 3] }), /^\$\.a\[1\] is a hole/);
      refused(() => walk({ a: sparse() }), /^\$\.a has a length of 4294967295, over the limit of 1000000 values$/);
      const big = 'x'.repeat(1 << 20);
      refused(() => walk(new Array(600).fill(big)), /^\$\[16\] is over the limit of 16777216 characters of text$/);
      refused(() => walk({ m: new Map() }), /^\$\.m is not a plain object$/);
      refused(() => walk({ f: () => 1 }), /^\$\.f is a function, not plain data$/);
      refused(() => walk({ n: NaN }), /^\$\.n is not a finite number$/);
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      refused(() => walk(cycle), /is nested deeper than 200 \(or is a cycle\)$/);
      if (name !== 'toPlainData') refused(() => walk(Object.assign([1], { every: 'x' })), /^\$ is an array with properties beside its elements$/);
    });
  }

  it('a node budget bounds wide values too', () => {
    refused(() => assertPlainData({ a: [1, 2, 3], b: { c: 1, d: 2 } }, '$', false, { maxNodes: 5, maxChars: 100, maxDepth: 10 }), /over the limit of 5 values/);
    refused(() => toPlainData({ k: 'x'.repeat(50) }, 'v', { maxNodes: 100, maxChars: 20, maxDepth: 10 }), /^v\.k is over the limit of 20 characters/);
  });
});

describe('toPlainData: a copy made of non-observable operations', () => {
  it("ignores a plugin's Symbol.species and toJSON, and reads each property once", () => {
    let reads = 0;
    const list: unknown[] = [1, 2];
    Object.defineProperty(list, 'constructor', { value: { [Symbol.species]: function () { return { live: true }; } } });
    const source = { list, toJSON: undefined as unknown, get once() { return ++reads; } };
    const copy = toPlainData(source) as { list: unknown[]; once: number };
    assert.ok(Array.isArray(copy.list));
    assert.deepEqual(copy, { list: [1, 2], once: 1 });
    assert.equal(Object.getOwnPropertyDescriptor(copy, 'once')!.value, 1, 'the copy holds data, not the getter');
    assert.equal(reads, 1);
    refused(() => toPlainData({ toJSON() { return 'x'; } }), /^\$\.toJSON is a function/);
  });

  it('drops __proto__ keys, undefined members and symbol keys; undefined in arrays becomes null; null prototypes become plain', () => {
    const bare = Object.assign(Object.create(null) as object, { x: 1 });
    const copy = toPlainData({ ...JSON.parse('{"__proto__": {"p": 1}}'), bare, u: undefined, [Symbol('s')]: 1, list: [undefined, 1] });
    assert.deepEqual(copy, { bare: { x: 1 }, list: [null, 1] });
    assert.equal(Object.getPrototypeOf((copy as { bare: object }).bare), Object.prototype);
  });
});

describe('jsonBytes', () => {
  it('is exactly the UTF-8 length of the JSON', () => {
    const values = [undefined, null, 0, -0, 1.5e300, 'plain', 'é😀\ud800"\\\n\u0001\u2028', { a: undefined, b: [undefined, 'x'], 'k"ey': { é: true } }, [], {},
      { nested: [[[{ deep: 'yes' }]]], n: -12.25 }];
    for (const v of values) assert.equal(jsonBytes(v), Buffer.byteLength(JSON.stringify(v) ?? ''), JSON.stringify(v));
  });

  it('stops at the limit: a value whose size is over it is not written out', () => {
    const refs = new Array(10).fill('y'.repeat(1 << 20));
    const size = jsonBytes(refs, 64 * 1024);
    assert.ok(size > 64 * 1024 && size < 11 << 20, String(size));
  });
});

describe('copyPlain', () => {
  it('copies checked plain data all the way down: changing the copy leaves the original as it was', () => {
    const original = { name: 't', args: { list: [1, { deep: ['x'] }], n: null, flag: false } };
    const copy = copyPlain(original);
    assert.deepEqual(copy, original);
    copy.args.list.push(2);
    (copy.args.list[1] as { deep: string[] }).deep[0] = 'changed';
    copy.args.n = 'set' as never;
    assert.deepEqual(original, { name: 't', args: { list: [1, { deep: ['x'] }], n: null, flag: false } });
  });

  it('leaves own __proto__ keys out, so a copy never takes a prototype from the data', () => {
    const copy = copyPlain(JSON.parse('{"a": {"__proto__": {"polluted": true}, "b": 1}}') as { a: Record<string, unknown> });
    assert.deepEqual(Object.keys(copy.a), ['b']);
    assert.equal(Object.getPrototypeOf(copy.a), Object.prototype);
    assert.equal((copy.a as { polluted?: boolean }).polluted, undefined);
  });
});

describe('plainEqual', () => {
  it('compares structure, key order ignored, without calling anything on the values', () => {
    assert.ok(plainEqual({ a: [1, { b: 2 }], c: 'x' }, { c: 'x', a: [1, { b: 2 }] }));
    assert.ok(!plainEqual({ a: [1] }, { a: [1, 2] }));
    assert.ok(!plainEqual([1], { 0: 1 }));
    const withOwnEvery = Object.assign([1, 2], { every: 'not a function' });
    assert.ok(plainEqual(withOwnEvery, [1, 2]));
  });
});
