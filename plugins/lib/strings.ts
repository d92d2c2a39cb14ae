/**
 * Walking a payload's text. Bundled into each plugin at build time (the sandbox runs one self-contained file), so
 * nothing here may touch a global beyond the language's own intrinsics.
 */

/** Keys that name message structure in MCP and chat formats (`"role": "user"`, `"type": "text"`), not content. */
export const STRUCTURAL_KEYS: ReadonlySet<string> = new Set(['role', 'type']);
/** `skip` for a scan that reads every string, as ContextForge's secrets detection does. */
export const SKIP_NONE: ReadonlySet<string> = new Set();

/**
 * Whether `parent[key]` holds binary data encoded as text in an MCP result: a resource's `blob`, or the `data` of an
 * image or audio item. A transformer that cuts or rewrites text must leave these whole (a cut image is no image);
 * a detector should still read them, as the `type` beside them is the sender's word.
 */
export function isBinaryField(parent: Record<string, unknown>, key: string): boolean {
  return key === 'blob' || (key === 'data' && (parent.type === 'image' || parent.type === 'audio'));
}

/**
 * Rewrites every string leaf except under `skip` keys (and binary fields, with `keepBinary`) (structural ones unless told), telling `fn` the key the string sits under (null at the
 * top and for array items directly under it); returns the same reference when nothing changed.
 */
export function mapStrings(
  value: unknown, fn: (text: string, key: string | null) => string, key: string | null = null, skip = STRUCTURAL_KEYS,
  keepBinary = false,
): unknown {
  if (typeof value === 'string') return fn(value, key);
  if (Array.isArray(value)) {
    const out = value.map((item) => mapStrings(item, fn, key, skip, keepBinary));
    return out.some((item, i) => item !== value[i]) ? out : value;
  }
  if (value === null || typeof value !== 'object') return value;
  let out: Record<string, unknown> | undefined;
  for (const [k, item] of Object.entries(value)) {
    if (skip.has(k) || k === '__proto__' || (keepBinary && isBinaryField(value as Record<string, unknown>, k))) continue;
    const next = mapStrings(item, fn, k, skip, keepBinary);
    if (next !== item) (out ??= { ...value })[k] = next;
  }
  return out ?? value;
}

/** UTF-8 length without TextEncoder (absent in a compartment). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
