import type { HookResult, JsonSchemaSubset, JsonType, Payload, SchemaGuardConfig } from './schemas.js';

/**
 * Validates a tool's args (tool_pre_invoke) and result (tool_post_invoke) against the JSON Schema configured for
 * that tool, and blocks on the first `max_errors` problems (all of them when it is null). Implements the subset of JSON Schema the config schema
 * accepts: type, properties, required, enum, minLength/maxLength, minimum/maximum, items, additionalProperties.
 * Self-contained for the sandbox.
 */

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

const hasType = (value: unknown, type: JsonType) => typeOf(value) === type || (type === 'number' && typeOf(value) === 'integer');

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(b, k) && equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function validate(schema: JsonSchemaSubset, value: unknown, path: string, errors: string[], max: number): void {
  const fail = (message: string, at = path) => {
    if (errors.length < max) errors.push(`${at}: ${message}`);
  };
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(value, t))) return fail(`must be ${types.join(' or ')}, got ${typeOf(value)}`);
  }
  if (schema.enum && !schema.enum.some((option) => equal(option, value))) fail(`must be one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) fail(`must be at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && length > schema.maxLength) fail(`must be at most ${schema.maxLength} characters`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) fail(`must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) fail(`must be <= ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => validate(schema.items!, item, `${path}[${i}]`, errors, max));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!Object.hasOwn(obj, key)) fail(`missing required property ${key}`);
    for (const [key, item] of Object.entries(obj)) {
      const declared = schema.properties && Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
      const extra = schema.additionalProperties;
      if (declared) validate(declared, item, `${path}.${key}`, errors, max);
      else if (extra === false) fail('is not allowed (additionalProperties is false)', `${path}.${key}`);
      else if (extra && extra !== true) validate(extra, item, `${path}.${key}`, errors, max);
    }
  }
}

/**
 * ContextForge's SchemaGuardPlugin's reading of a schema, in its words: a type mismatch stops there, then each
 * missing required property, then each declared property present, in the schema's order ("count: Type mismatch:
 * expected integer", "Missing required property: to", "tags: [1]: ..."). It reads only type, required,
 * properties and items (the translated config keeps no other keyword).
 */
function validateContextForge(schema: JsonSchemaSubset, value: unknown, prefix: string, errors: string[], max: number): void {
  const fail = (message: string) => {
    if (errors.length < max) errors.push(prefix + message);
  };
  const type = schema.type;
  if (typeof type === 'string' && !hasType(value, type)) return fail(`Type mismatch: expected ${type}`);
  if (type === 'object') {
    const obj = typeOf(value) === 'object' ? value as Record<string, unknown> : null;
    for (const key of schema.required ?? []) if (!obj || !Object.hasOwn(obj, key)) fail(`Missing required property: ${key}`);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (obj && Object.hasOwn(obj, key)) validateContextForge(sub, obj[key], `${prefix}${key}: `, errors, max);
    }
  }
  if (type === 'array' && Array.isArray(value) && schema.items) {
    value.forEach((item, i) => validateContextForge(schema.items!, item, `${prefix}[${i}]: `, errors, max));
  }
}

export default (config: SchemaGuardConfig) => {
  const contextforge = config.violations === 'contextforge';
  const block = (tool: string, field: string, errors: string[]): HookResult => config.block ? {
    continue_processing: false,
    violation: contextforge ? {
      // ContextForge's SchemaGuardPlugin names the field that failed in its code
      reason: 'Schema validation failed',
      description: field === 'args' ? 'Arguments do not conform to schema' : 'Result does not conform to schema',
      code: field === 'args' ? 'SCHEMA_GUARD_ARGS' : 'SCHEMA_GUARD_RESULT',
      details: { errors },
    } : {
      reason: 'Schema validation failed',
      description: `${tool}: ${errors[0]}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
      code: 'SCHEMA_VIOLATION',
      details: { tool, errors },
    },
  } : { metadata: { schema_errors: errors } };

  const check = (schemas: Record<string, JsonSchemaSubset>, field: string, requireSchema: boolean) =>
    (payload: Payload): HookResult | undefined => {
      const tool = String(payload.name);
      const schema = Object.hasOwn(schemas, tool) ? schemas[tool] : undefined;
      if (!schema) return requireSchema ? block(tool, field, [`no argument schema is configured for tool ${tool}`]) : undefined;
      const errors: string[] = [];
      const max = config.max_errors ?? Infinity;
      if (contextforge) validateContextForge(schema, payload[field] ?? (field === 'args' ? {} : null), '', errors, max);
      else validate(schema, payload[field], field, errors, max);
      if (errors.length > 0) return block(tool, field, errors);
      // ContextForge reports the (empty) list on every call it checked
      return contextforge ? { metadata: { schema_errors: [] } } : undefined;
    };

  return {
    tool_pre_invoke: check(config.arg_schemas, 'args', config.block_unknown_tools),
    tool_post_invoke: check(config.result_schemas, 'result', false),
  };
};
