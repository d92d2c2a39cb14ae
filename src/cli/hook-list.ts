import { z } from 'zod';
import { HOOK_NAMES, hookSpec, type HookSpec } from '../core/hooks.js';
import type { Io } from './io.js';

export interface HookDescription {
  hook: string;
  payload: Array<{ field: string; type: string; optional: boolean }>;
  condition: string | null;
  writable: readonly string[] | null;
  result: string | null;
}

/** Read off the runtime's own hook table, so this listing can never drift from what the runtime enforces. */
export function describeHooks(): HookDescription[] {
  return HOOK_NAMES.map((name) => describe(hookSpec(name)));
}

function describe(spec: HookSpec): HookDescription {
  const shape = spec.payloadSchema instanceof z.ZodObject ? (spec.payloadSchema.shape as Record<string, z.ZodType>) : {};
  return {
    hook: spec.name,
    payload: Object.entries(shape).map(([field, schema]) => {
      const { type, optional } = typeName(schema);
      return { field, type, optional };
    }),
    condition: spec.conditionKey ? `${spec.conditionKey} (matches ${spec.conditionField})` : null,
    writable: spec.writable,
    result: spec.resultSchema ? typeName(spec.resultSchema).type : null,
  };
}

/** A short name for a field's schema; optional and nullable wrappers become the `?` of the field. */
function typeName(schema: z.ZodType): { type: string; optional: boolean } {
  const def = schema.def as { type: string; innerType?: z.ZodType; valueType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType> };
  if ((def.type === 'optional' || def.type === 'nullable') && def.innerType) return { type: typeName(def.innerType).type, optional: true };
  switch (def.type) {
    case 'record':
      return { type: def.valueType?.def.type === 'string' ? 'string map' : 'object', optional: false };
    case 'array':
      return { type: def.element && def.element.def.type !== 'unknown' ? `${typeName(def.element).type}[]` : 'array', optional: false };
    case 'object': {
      const fields = Object.entries(def.shape ?? {}).map(([k, v]) => {
        const t = typeName(v);
        return `${k}${t.optional ? '?' : ''}: ${t.type}`;
      });
      return { type: `{${fields.join(', ')}}`, optional: false };
    }
    case 'number':
      return { type: (schema as z.ZodNumber).format === 'safeint' ? 'integer' : 'number', optional: false };
    case 'unknown':
      return { type: 'any JSON', optional: false };
    default:
      return { type: def.type, optional: false };
  }
}

export function hooksCommand(options: { json: boolean }, io: Io): void {
  const hooks = describeHooks();
  if (options.json) {
    io.out(`${JSON.stringify(hooks, null, 2)}\n`);
    return;
  }
  const blocks = hooks.map((h) => {
    const fields = h.payload.map((f) => `${f.field}${f.optional ? '?' : ''}: ${f.type}`).join(', ');
    const writable = h.writable
      ? h.writable.join(', ')
      : `none: a plugin returns another type, ${h.result ?? 'an object'}, taken whole`;
    return [
      io.style('bold', h.hook),
      `  payload    ${fields}`,
      `  condition  ${h.condition ?? io.style('dim', '-')}`,
      `  writable   ${writable}`,
    ].join('\n');
  });
  io.out(`${blocks.join('\n\n')}\n\n${io.style('dim', 'Other hook names are custom hook points: any JSON object, no condition field, no default policy.')}\n`);
}
