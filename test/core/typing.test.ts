/**
 * Types by hook, checked by the compiler: this file is built with the suite (`tsc`, strict), and each
 * `@ts-expect-error` fails the build if the line it marks compiles, i.e. if a payload, a result or a factory's
 * config were `any` or `unknown` again. The runtime assertions only check that the typed helpers change nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definePlugin, type HookFunction, type HookPayload, type HookResultPayload, type PluginManager } from '../../src/index.js';

const blocker = definePlugin((config: { blocked: string }) => ({
  tool_pre_invoke(payload) {
    // @ts-expect-error a tool_pre_invoke payload's name is a string
    const wrong: number = payload.name;
    void wrong;
    if (payload.name === config.blocked) return { continue_processing: false, violation: { reason: 'Blocked', description: 'd', code: 'DENY' } };
    return { modified_payload: { ...payload, args: { ...payload.args, checked: true } } };
  },
  http_auth_check_permission(payload) {
    return { modified_payload: { granted: payload.is_admin || payload.permission === 'read' } };
  },
  custom_check(payload) {
    return { metadata: { seen: Object.keys(payload).length } };
  },
}));

// @ts-expect-error this hook's plugins return a decision ({ granted }), not a payload
const notADecision: HookFunction<'http_auth_check_permission'> = (payload) => ({ modified_payload: { user_email: payload.user_email } });

const typedConfig = definePlugin<{ max: number }>((config) => ({
  prompt_pre_fetch(payload) {
    // @ts-expect-error the config type was given: max is a number
    const max: string = config.max;
    void max;
    const args: Record<string, string> = payload.args;
    return { metadata: { keys: Object.keys(args).length } };
  },
}));

const hooksObject = definePlugin({
  tool_post_invoke(payload, context) {
    return { metadata: { result: String(payload.result), request: context.global_context.request_id } };
  },
  shutdown() {},
});

// Results are typed by hook: a built-in hook's modified payload, or a custom hook's JSON object.
type Invoke<H extends string> = Awaited<ReturnType<PluginManager['invokeHook']>> & { result: { modified_payload: HookResultPayload<H> | null } };
function argsOf(invocation: Invoke<'tool_pre_invoke'>): Record<string, unknown> | undefined {
  return invocation.result.modified_payload?.args;
}
async function call(manager: PluginManager): Promise<void> {
  const pre = await manager.invokeHook('tool_pre_invoke', { name: 'send_email', args: { to: 'bob@example.com' } }, { request_id: 'r' });
  const to: unknown = pre.result.modified_payload?.args.to;
  void to;
  // @ts-expect-error a tool_pre_invoke payload needs its name
  await manager.invokeHook('tool_pre_invoke', { args: {} }, { request_id: 'r' });
  const auth = await manager.invokeHook('http_auth_check_permission', {
    user_email: 'a@example.com', permission: 'read', is_admin: false,
  }, { request_id: 'r' });
  const granted: boolean | undefined = auth.result.modified_payload?.granted;
  void granted;
  const payload: HookPayload<'resource_pre_fetch'> = { uri: 'https://example.com', metadata: {} };
  void payload;
}

test('definePlugin returns factories and hooks objects unchanged, whatever their types', () => {
  assert.equal(typeof blocker, 'function');
  assert.equal(typeof typedConfig, 'function');
  assert.equal(typeof hooksObject.tool_post_invoke, 'function');
  assert.equal(typeof argsOf, 'function');
  assert.equal(typeof call, 'function');
  assert.equal(typeof notADecision, 'function');
});
