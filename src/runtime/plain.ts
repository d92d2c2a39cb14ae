/**
 * Rebuilds a value as plain JSON-like data: only null, booleans, finite numbers, strings, arrays and plain objects
 * survive. Anything else (functions, class instances, Maps, symbols, cycles) is an error naming the path, and
 * `__proto__` keys are dropped, so nothing that crosses from a plugin can carry code or a prototype into a merge.
 */
export class NotPlainDataError extends Error {}

const MAX_DEPTH = 200;

export function toPlainData(value: unknown, path = '$'): unknown {
  return copy(value, path, 0, new Set());
}

function copy(value: unknown, path: string, depth: number, seen: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new NotPlainDataError(`${path} is not a finite number`);
      return value;
    case 'undefined':
      return undefined;
    case 'object':
      break;
    default:
      throw new NotPlainDataError(`${path} is a ${typeof value}, not plain data`);
  }
  if (value === null) return null;
  if (depth > MAX_DEPTH) throw new NotPlainDataError(`${path} is nested deeper than ${MAX_DEPTH}`);
  if (seen.has(value)) throw new NotPlainDataError(`${path} is a cycle`);
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map((item, i) => copy(item, `${path}[${i}]`, depth + 1, seen) ?? null);
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new NotPlainDataError(`${path} is not a plain object`);
    }
    const obj: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (key === '__proto__') continue;
      const item = copy((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1, seen);
      if (item !== undefined) obj[key] = item;
    }
    out = obj;
  }
  seen.delete(value);
  return out;
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
