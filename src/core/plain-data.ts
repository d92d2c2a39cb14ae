/**
 * Plain data is what may cross from a plugin into a merge: null, booleans, finite numbers, strings, arrays and
 * plain objects, with no `__proto__` keys. Anything else (functions, class instances, Maps, symbols, cycles) is
 * an error naming the path, so nothing that crosses can carry code or a prototype into the host's objects.
 */
export class NotPlainDataError extends Error {}

/** Deep enough for any real payload; a cycle also ends here, which spares a visited-set on the hot path. */
const MAX_DEPTH = 200;

/** Rebuilds a value as plain data (invoking any getters once, in the realm that owns them). */
export function toPlainData(value: unknown, path = '$'): unknown {
  return copy(value, path, 0);
}

/**
 * Checks data in place, without the cost of a copy on the host's hot path. With `stripProto` (for data that
 * arrived from a worker by structured cloning, so it has no getters) own `__proto__` keys are deleted; a
 * caller's own objects are only read.
 */
export function assertPlainData(value: unknown, path = '$', stripProto = false): void {
  check(value, path, 0, stripProto);
}

function scalar(value: unknown, path: string): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'number':
      if (!Number.isFinite(value)) throw new NotPlainDataError(`${path} is not a finite number`);
      return true;
    case 'object':
      return value === null;
    default:
      throw new NotPlainDataError(`${path} is a ${typeof value}, not plain data`);
  }
}

function container(value: object, path: string, depth: number): 'array' | 'object' {
  if (depth > MAX_DEPTH) throw new NotPlainDataError(`${path} is nested deeper than ${MAX_DEPTH} (or is a cycle)`);
  if (Array.isArray(value)) return 'array';
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new NotPlainDataError(`${path} is not a plain object`);
  return 'object';
}

function copy(value: unknown, path: string, depth: number): unknown {
  if (scalar(value, path)) return value;
  const obj = value as Record<string, unknown>;
  if (container(obj, path, depth) === 'array') {
    return (obj as unknown as unknown[]).map((item, i) => copy(item, `${path}[${i}]`, depth + 1) ?? null);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    if (key === '__proto__') continue;
    const item = copy(obj[key], path + '.' + key, depth + 1);
    if (item !== undefined) out[key] = item;
  }
  return out;
}

function check(value: unknown, path: string, depth: number, strip: boolean): void {
  if (scalar(value, path)) return;
  const obj = value as Record<string, unknown>;
  if (container(obj, path, depth) === 'array') {
    const list = obj as unknown as unknown[];
    for (let i = 0; i < list.length; i++) check(list[i], path, depth + 1, strip);
    return;
  }
  for (const key of Object.keys(obj)) {
    if (key === '__proto__' && strip) delete obj[key];
    else check(obj[key], path, depth + 1, strip);
  }
}

/** Structural equality of two plain-data values (key order ignored). */
export function plainEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => plainEqual(item, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => Object.hasOwn(b, k) && plainEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}
