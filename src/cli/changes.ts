/** Where two JSON values differ, as leaf paths like `args.body` or `result.content[0].text`. */
export function changedPaths(before: unknown, after: unknown, path = ''): Array<{ path: string; before: unknown; after: unknown }> {
  if (Object.is(before, after)) return [];
  const bothArrays = Array.isArray(before) && Array.isArray(after);
  const bothObjects = isObject(before) && isObject(after);
  if (!bothArrays && !bothObjects) return [{ path: path || '(payload)', before, after }];
  const keys = bothArrays
    ? Array.from({ length: Math.max((before as unknown[]).length, (after as unknown[]).length) }, (_, i) => i)
    : [...new Set([...Object.keys(before as object), ...Object.keys(after as object)])];
  return keys.flatMap((key) => {
    const child = typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    return changedPaths((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], child);
  });
}

/**
 * One short line saying what a plugin changed: the first changed field, with the text around the first
 * differing character (a redaction deep inside a long string is what a reader wants to see), and how many
 * other fields changed.
 */
export function describeChange(before: unknown, after: unknown): string {
  const changes = changedPaths(before, after);
  const first = changes[0];
  if (!first) return 'no change';
  const more = changes.length > 1 ? ` (+${changes.length - 1} more)` : '';
  if (typeof first.before === 'string' && typeof first.after === 'string') {
    const [a, b] = aroundFirstDifference(first.before, first.after);
    return `${first.path}: ${a} -> ${b}${more}`;
  }
  return `${first.path}: ${preview(first.before)} -> ${preview(first.after)}${more}`;
}

const BEFORE = 8;
const AFTER = 30;

function aroundFirstDifference(a: string, b: string): [string, string] {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  const from = Math.max(0, at - BEFORE);
  const cut = (s: string) => JSON.stringify(`${from > 0 ? '…' : ''}${s.slice(from, at + AFTER)}${s.length > at + AFTER ? '…' : ''}`);
  return [cut(a), cut(b)];
}

function preview(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > BEFORE + AFTER ? `${text.slice(0, BEFORE + AFTER)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
