import assert from 'node:assert/strict';
import { bundledSchemas, type PluginContext } from '../../plugins/schemas.js';

/** A hook's second argument for one request of `global` (user, tenant_id, ...). */
export function context(global: Record<string, unknown> = {}): PluginContext {
  return { state: {}, metadata: {}, global_context: { request_id: 'req-1', state: {}, metadata: {}, ...global } };
}

/** Parses a bundled plugin's config as the host does at config load. */
export function parseConfig<T>(name: string, config: unknown): T {
  return bundledSchemas[name]!.parse(config) as T;
}

/** The zod issues of a config that must not load, as "path: message" lines. */
export function configErrors(name: string, config: unknown): string[] {
  const parsed = bundledSchemas[name]!.safeParse(config);
  assert.equal(parsed.success, false, `config ${JSON.stringify(config)} should not parse`);
  return parsed.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

/** Asserts that exactly one issue names `path` (and, when given, that its message says `hint`). */
export function assertIssueAt(errors: string[], path: string, hint?: RegExp): void {
  const found = errors.filter((e) => e.startsWith(`${path}: `));
  assert.equal(found.length, 1, `expected one issue at ${path}, got ${JSON.stringify(errors)}`);
  if (hint) assert.match(found[0]!, hint);
}
