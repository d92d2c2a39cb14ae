/**
 * Plain data is what may cross from a plugin into a merge: null, booleans, finite numbers, strings, dense arrays and
 * plain objects, with no `__proto__` keys. Anything else (functions, class instances, Maps, symbols, cycles, holes,
 * arrays with extra properties) is an error naming the path, so nothing that crosses can carry code or a prototype
 * into the host's objects.
 *
 * Every walk here is bounded by the value's real size, whatever its shape: an array's `length` is checked against
 * the node budget before anything iterates it, a hole stops the walk where it is found (so a sparse or dictionary
 * array with a huge length costs what its present elements cost), and a budget of nodes and characters (repeated
 * references to one string are counted every time, as JSON and structured cloning would write them) bounds the
 * rest. Only non-observable operations are used on the value: no `Array.prototype.map` (a plugin's
 * `constructor[Symbol.species]` would pick the "copy"), no `toJSON`, no JSON.stringify of anything unchecked. A
 * copy reads each property once; on the host, values only ever arrive by structured cloning, so there is nothing
 * there for a read to run.
 */
export class NotPlainDataError extends Error {}

export interface PlainLimits {
  /** values visited (every array element, object property and scalar) */
  maxNodes: number;
  /** string and key characters, counted at every occurrence */
  maxChars: number;
  /** nesting; a cycle also ends here, which spares a visited-set on the hot path */
  maxDepth: number;
}

/**
 * Far above any real payload, and low enough that the JSON of a checked value (at most 6 bytes per character plus
 * a few per node) stays well under V8's longest string: JSON.stringify of a checked value can neither throw for its
 * size nor reach V8's fatal path for oversized holey arrays.
 */
export const PLAIN_LIMITS: Readonly<PlainLimits> = Object.freeze({ maxNodes: 1_000_000, maxChars: 16 * 2 ** 20, maxDepth: 200 });

const hasOwn = Object.prototype.hasOwnProperty;
const isArray = Array.isArray;
const getProto = Object.getPrototypeOf;
const keysOf = Object.keys;
const OBJECT_PROTO = Object.prototype;

/** One walk's budget and the path to where it is, formatted only when something is wrong (json-bytes.ts walks with it too). */
export class Walk {
  nodes = 0;
  chars = 0;
  readonly path: Array<string | number> = [];
  constructor(readonly root: string, readonly limits: PlainLimits) {}

  fail(why: string): never {
    let text = this.root;
    for (const p of this.path) text += typeof p === 'number' ? `[${p}]` : `.${p}`;
    throw new NotPlainDataError(`${text} ${why}`);
  }

  node(): void {
    if (++this.nodes > this.limits.maxNodes) this.fail(`is over the limit of ${this.limits.maxNodes} values`);
  }

  text(length: number): void {
    this.chars += length;
    if (this.chars > this.limits.maxChars) this.fail(`is over the limit of ${this.limits.maxChars} characters of text`);
  }

  /** A scalar is accounted for and returns true; an object returns false (the caller walks it). */
  scalar(value: unknown): boolean {
    this.node();
    switch (typeof value) {
      case 'string':
        this.text(value.length);
        return true;
      case 'boolean':
      case 'undefined':
        return true;
      case 'number':
        if (value - value !== 0) this.fail('is not a finite number');
        return true;
      case 'object':
        if (value === null) return true;
        if (this.path.length >= this.limits.maxDepth) this.fail(`is nested deeper than ${this.limits.maxDepth} (or is a cycle)`);
        return false;
      default:
        return this.fail(`is a ${typeof value}, not plain data`);
    }
  }

  /** An array's length, checked before anything iterates it. */
  arrayLength(list: readonly unknown[]): number {
    const length = list.length;
    if (!Number.isSafeInteger(length) || length < 0) this.fail('has an invalid length');
    if (length > this.limits.maxNodes - this.nodes) this.fail(`has a length of ${length}, over the limit of ${this.limits.maxNodes} values`);
    return length;
  }

  element(list: readonly unknown[], i: number): unknown {
    if (!hasOwn.call(list, i)) {
      this.path.push(i);
      this.fail('is a hole (sparse arrays are not plain data)');
    }
    return list[i];
  }

  objectKeys(obj: object): string[] {
    const proto = getProto(obj);
    if (proto !== OBJECT_PROTO && proto !== null) this.fail('is not a plain object');
    const keys = keysOf(obj);
    if (keys.length > this.limits.maxNodes - this.nodes) this.fail(`has ${keys.length} keys, over the limit of ${this.limits.maxNodes} values`);
    return keys;
  }
}

/** Rebuilds a value as plain data, reading each property once (a plugin's getters run then, in its own realm). */
export function toPlainData(value: unknown, path = '$', limits: PlainLimits = PLAIN_LIMITS): unknown {
  return copy(value, new Walk(path, limits));
}

/**
 * A copy of a value that is already plain data (admitted by the host, or made by `toPlainData`), for handing each
 * plugin its own: a plugin may mutate what it is given, and the next plugin, and the fold, must not see that. Its
 * cost is the value's size, which was bounded when it was checked; nothing on it is observable (no getters, no
 * species, no holes), so this skips the budget and the path that `toPlainData` keeps for unknown values, and is
 * several times cheaper than `structuredClone` at payload sizes. `__proto__` keys never reach a copy.
 */
export function copyPlain<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyPlain(value[i]);
    return out as T;
  }
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keysOf(obj)) if (key !== '__proto__') out[key] = copyPlain(obj[key]);
  return out as T;
}

/**
 * Checks data in place, without the cost of a copy on the host's hot path. With `stripProto` (for data that
 * arrived from a worker by structured cloning, so it has no getters) own `__proto__` keys are deleted; a
 * caller's own objects are only read.
 */
export function assertPlainData(value: unknown, path = '$', stripProto = false, limits: PlainLimits = PLAIN_LIMITS): void {
  check(value, new Walk(path, limits), stripProto);
}

function copy(value: unknown, walk: Walk): unknown {
  if (walk.scalar(value)) return value;
  const { path } = walk;
  if (isArray(value)) {
    const length = walk.arrayLength(value);
    const out: unknown[] = [];
    for (let i = 0; i < length; i++) {
      const item = walk.element(value, i);
      path.push(i);
      const plain = copy(item, walk);
      path.pop();
      out.push(plain === undefined ? null : plain);
    }
    return out;
  }
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of walk.objectKeys(obj)) {
    walk.text(key.length);
    if (key === '__proto__') continue;
    path.push(key);
    const item = copy(obj[key], walk);
    path.pop();
    if (item !== undefined) out[key] = item;
  }
  return out;
}

function check(value: unknown, walk: Walk, strip: boolean): void {
  if (walk.scalar(value)) return;
  const { path } = walk;
  if (isArray(value)) {
    const length = walk.arrayLength(value);
    for (let i = 0; i < length; i++) {
      const item = walk.element(value, i);
      path.push(i);
      check(item, walk, strip);
      path.pop();
    }
    // Own properties beside the elements survive structured cloning, and the host's code would find them where it
    // expects Array.prototype's methods.
    if (keysOf(value).length !== length) walk.fail('is an array with properties beside its elements');
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const key of walk.objectKeys(obj)) {
    walk.text(key.length);
    if (key === '__proto__' && strip) {
      delete obj[key];
      continue;
    }
    path.push(key);
    check(obj[key], walk, strip);
    path.pop();
  }
}

/** Structural equality of two plain-data values (key order ignored); index loops only, nothing looked up on them. */
export function plainEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (isArray(a)) {
    if (!isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!plainEqual(a[i], b[i])) return false;
    return true;
  }
  if (isArray(b)) return false;
  const ak = keysOf(a);
  if (ak.length !== keysOf(b).length) return false;
  for (const k of ak) {
    if (!hasOwn.call(b, k) || !plainEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
