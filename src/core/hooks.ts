import { z } from 'zod';
import { JsonObject } from './schemas.js';

/**
 * The hook points of hooks.md. `writable` is the default policy; `resultSchema` marks hooks whose plugins return
 * a different type that is taken whole instead of being merged field by field.
 */
export interface HookSpec {
  name: string;
  payloadSchema: z.ZodType<JsonObject>;
  conditionField: 'name' | 'prompt_id' | 'uri' | 'agent_id' | null;
  conditionKey: 'tools' | 'prompts' | 'resources' | 'agents' | null;
  writable: readonly string[] | null;
  resultSchema: z.ZodType<JsonObject> | null;
}

const StringMap = z.record(z.string(), z.string());
const opt = <T extends z.ZodType>(t: T) => t.nullish();

const httpRequest = {
  path: z.string(),
  method: z.string(),
  client_host: opt(z.string()),
  client_port: opt(z.number().int()),
  headers: StringMap,
};

type Row = [schema: Record<string, z.ZodType>, condition: HookSpec['conditionField'], writable: string[] | null,
  result?: z.ZodType<JsonObject>];

const CONDITION_KEYS = { name: 'tools', prompt_id: 'prompts', uri: 'resources', agent_id: 'agents' } as const;

const TABLE = {
  tool_pre_invoke: [{ name: z.string(), args: JsonObject, headers: opt(StringMap) }, 'name', ['name', 'args', 'headers']],
  tool_post_invoke: [{ name: z.string(), result: z.unknown() }, 'name', ['result']],
  prompt_pre_fetch: [{ prompt_id: z.string(), args: StringMap }, 'prompt_id', ['args']],
  prompt_post_fetch: [
    { prompt_id: z.string(), result: z.looseObject({ messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })) }) },
    'prompt_id', ['result'],
  ],
  resource_pre_fetch: [{ uri: z.string(), metadata: JsonObject }, 'uri', ['uri', 'metadata']],
  resource_post_fetch: [{ uri: z.string(), content: z.unknown() }, 'uri', ['content']],
  agent_pre_invoke: [
    {
      agent_id: z.string(), messages: z.array(z.unknown()), tools: opt(z.array(z.string())), headers: opt(StringMap),
      model: opt(z.string()), system_prompt: opt(z.string()), parameters: JsonObject,
    },
    'agent_id', ['agent_id', 'messages', 'tools', 'model', 'system_prompt', 'parameters', 'headers'],
  ],
  agent_post_invoke: [{ agent_id: z.string(), messages: z.array(z.unknown()), tool_calls: opt(z.array(z.unknown())) }, 'agent_id', ['messages', 'tool_calls']],
  http_pre_request: [httpRequest, null, ['headers']],
  http_post_request: [{ ...httpRequest, response_headers: opt(StringMap), status_code: opt(z.number().int()) }, null, ['headers']],
  http_auth_resolve_user: [
    { credentials: opt(JsonObject), headers: StringMap, client_host: opt(z.string()), client_port: opt(z.number().int()) },
    null, null, JsonObject,
  ],
  http_auth_check_permission: [
    {
      user_email: z.string(), permission: z.string(), resource_type: opt(z.string()), team_id: opt(z.string()),
      is_admin: z.boolean(), auth_method: opt(z.string()), client_host: opt(z.string()), user_agent: opt(z.string()),
    },
    null, null, z.looseObject({ granted: z.boolean(), reason: opt(z.string()) }),
  ],
} satisfies Record<string, Row>;

/** The table's static type: hook-types.ts derives each built-in hook's payload and result types from it. */
export type HookTable = typeof TABLE;

function build(name: string, [shape, conditionField, writable, resultSchema]: Row): HookSpec {
  return {
    name,
    payloadSchema: z.looseObject(shape) as unknown as z.ZodType<JsonObject>,
    conditionField,
    conditionKey: conditionField ? CONDITION_KEYS[conditionField] : null,
    writable,
    resultSchema: resultSchema ?? null,
  };
}

const BUILT_IN: ReadonlyMap<string, HookSpec> = new Map(Object.entries(TABLE as Record<string, Row>).map(([n, row]) => [n, build(n, row)]));

export const HOOK_NAMES: readonly string[] = [...BUILT_IN.keys()];

/** A hook name outside the table is a custom hook point: any JSON object, no condition field, no default policy. */
export function hookSpec(name: string): HookSpec {
  return BUILT_IN.get(name) ?? {
    name, payloadSchema: JsonObject, conditionField: null, conditionKey: null, writable: null, resultSchema: null,
  };
}
