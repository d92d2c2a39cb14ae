/**
 * One valid payload per hook of hooks.md, a required field to take away, and for the hooks with a field policy a
 * change to every field plus the fields the default policy lets through. Shared by payloads and policy tests.
 */
export interface HookSample {
  hook: string;
  payload: Record<string, unknown>;
  /** a required field: without it the payload must be rejected */
  required: string;
  /** every field changed to another valid value (absent for the http_auth_* hooks, whose results are taken whole) */
  changed?: Record<string, unknown>;
  writable?: string[];
}

export const HOOK_SAMPLES: HookSample[] = [
  {
    hook: 'tool_pre_invoke', required: 'args',
    payload: { name: 't', args: { a: 1 }, headers: { h: '1' } },
    changed: { name: 't2', args: { a: 2 }, headers: { h: '2' } },
    writable: ['name', 'args', 'headers'],
  },
  {
    hook: 'tool_post_invoke', required: 'name',
    payload: { name: 't', result: { r: 1 } },
    changed: { name: 't2', result: { r: 2 } },
    writable: ['result'],
  },
  {
    hook: 'prompt_pre_fetch', required: 'prompt_id',
    payload: { prompt_id: 'p', args: { a: '1' } },
    changed: { prompt_id: 'p2', args: { a: '2' } },
    writable: ['args'],
  },
  {
    hook: 'prompt_post_fetch', required: 'result',
    payload: { prompt_id: 'p', result: { messages: [{ role: 'user', content: 'hi' }] } },
    changed: { prompt_id: 'p2', result: { messages: [{ role: 'assistant', content: 'yo' }] } },
    writable: ['result'],
  },
  {
    hook: 'resource_pre_fetch', required: 'uri',
    payload: { uri: 'file:///a', metadata: { m: 1 } },
    changed: { uri: 'file:///b', metadata: { m: 2 } },
    writable: ['uri', 'metadata'],
  },
  {
    hook: 'resource_post_fetch', required: 'uri',
    payload: { uri: 'file:///a', content: 'x' },
    changed: { uri: 'file:///b', content: 'y' },
    writable: ['content'],
  },
  {
    hook: 'agent_pre_invoke', required: 'agent_id',
    payload: { agent_id: 'a', messages: [{ role: 'user', content: 'hi' }], tools: ['t'], headers: { h: '1' }, model: 'm', system_prompt: 's', parameters: { p: 1 } },
    changed: { agent_id: 'b', messages: [{ role: 'user', content: 'yo' }], tools: ['u'], headers: { h: '2' }, model: 'n', system_prompt: 'z', parameters: { p: 2 } },
    writable: ['agent_id', 'messages', 'tools', 'model', 'system_prompt', 'parameters', 'headers'],
  },
  {
    hook: 'agent_post_invoke', required: 'messages',
    payload: { agent_id: 'a', messages: [{ role: 'assistant', content: 'x' }], tool_calls: [{ id: 1 }] },
    changed: { agent_id: 'b', messages: [{ role: 'assistant', content: 'y' }], tool_calls: [{ id: 2 }] },
    writable: ['messages', 'tool_calls'],
  },
  {
    hook: 'http_pre_request', required: 'method',
    payload: { path: '/a', method: 'GET', client_host: 'h1', client_port: 1, headers: { h: '1' } },
    changed: { path: '/b', method: 'POST', client_host: 'h2', client_port: 2, headers: { h: '2' } },
    writable: ['headers'],
  },
  {
    hook: 'http_post_request', required: 'path',
    payload: { path: '/a', method: 'GET', headers: { h: '1' }, response_headers: { r: '1' }, status_code: 200 },
    changed: { path: '/b', method: 'PUT', headers: { h: '2' }, response_headers: { r: '2' }, status_code: 500 },
    writable: ['headers'],
  },
  {
    hook: 'http_auth_resolve_user', required: 'headers',
    payload: { credentials: { token: 't' }, headers: { authorization: 'Bearer t' } },
  },
  {
    hook: 'http_auth_check_permission', required: 'is_admin',
    payload: { user_email: 'a@b.c', permission: 'tools.run', is_admin: false },
  },
];

export function without(payload: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _removed, ...rest } = payload;
  return rest;
}
