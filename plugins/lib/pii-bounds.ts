import type { PiiFilterConfig } from '../schemas.js';
import { utf8Bytes } from './strings.js';

/**
 * pii_filter's bounds on one call's scan (ContextForge's max_text_bytes, max_nested_depth, max_collection_items):
 * a value over one fails the call with ContextForge's words, before anything is scanned. A scanned field's value
 * is at depth 0, its items at 1, and so on; any value deeper than the bound fails, text or not.
 */

type Bounds = Pick<PiiFilterConfig, 'max_text_bytes' | 'max_nested_depth' | 'max_collection_items'>;

export function checkBounds(value: unknown, bounds: Bounds, depth = 0): void {
  const { max_text_bytes: maxBytes, max_nested_depth: maxDepth, max_collection_items: maxItems } = bounds;
  if (maxDepth !== undefined && depth > maxDepth) throw new Error(`Nested data exceeds maximum depth of ${maxDepth}`);
  if (typeof value === 'string') {
    if (maxBytes !== undefined && utf8Bytes(value) > maxBytes) throw new Error(`Input exceeds maximum supported size of ${maxBytes} bytes`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const items = Array.isArray(value) ? value : Object.values(value);
  if (maxItems !== undefined && items.length > maxItems) {
    throw new Error(`Nested ${Array.isArray(value) ? 'list' : 'mapping'} exceeds maximum size of ${maxItems} items`);
  }
  for (const item of items) checkBounds(item, bounds, depth + 1);
}

/** Whether any bound is set (a config without them skips the extra walk). */
export const hasBounds = (b: Bounds) => b.max_text_bytes !== undefined || b.max_nested_depth !== undefined || b.max_collection_items !== undefined;
