import { jsonBytes } from './json-bytes.js';
import { plainEqual } from './plain-data.js';
import type { JsonObject, LocalContext, PluginResult } from './schemas.js';

/**
 * What one plugin's result weighs (semantics.md, Size limit): only what the plugin itself contributed, so a caller's
 * large `state` or payload never counts against a plugin. Pure and shared by the worker and the host, which must
 * reach the same verdict; it measures plain data already checked (JSON text, UTF-8 bytes), in time linear in it.
 */
export interface Contribution {
  result: PluginResult;
  /** the keys of its copy of the global context that it changed (chain.ts sends nothing else) */
  global?: { state: JsonObject; metadata: JsonObject } | undefined;
  /** its local context as it returned it, and as it was handed in (nothing, for a fresh one) */
  local?: LocalContext | undefined;
  localGiven?: Partial<LocalContext> | undefined;
}

export function contributedBytes({ result, global, local, localGiven }: Contribution): number {
  let bytes = 0;
  if (result.modified_payload !== null) bytes += jsonBytes(result.modified_payload);
  if (Object.keys(result.metadata).length) bytes += jsonBytes(result.metadata);
  if (result.violation) bytes += jsonBytes(result.violation);
  if (result.http_headers) bytes += jsonBytes(result.http_headers);
  if (global) bytes += entryBytes(global.state) + entryBytes(global.metadata);
  if (local) {
    bytes += entryBytes(changedEntries(local.state, localGiven?.state ?? {}));
    bytes += entryBytes(changedEntries(local.metadata, localGiven?.metadata ?? {}));
  }
  return bytes;
}

/** The entries of `after` that are new or differ from `before`: what a plugin changed in its copy of a context. */
export function changedEntries(after: JsonObject, before: JsonObject): JsonObject {
  const changed: JsonObject = {};
  for (const key of Object.keys(after)) {
    if (!Object.hasOwn(before, key) || !plainEqual(after[key], before[key])) changed[key] = after[key];
  }
  return changed;
}

const entryBytes = (entries: JsonObject) => (Object.keys(entries).length ? jsonBytes(entries) : 0);
