import type { HeaderInjectorConfig, HookResult, Payload, PluginContext } from './schemas.js';

/**
 * Adds headers to outgoing tool, agent and HTTP requests, or overrides them (names match case-insensitively).
 * Values may hold {request_id}, {tenant_id}, {server_id} and {user} from the request's global context; a header
 * whose placeholder has no value in this request is left out. Protected headers (authorization, cookie, ...) are
 * refused at config load, so the plugin can never touch them. Self-contained for the sandbox.
 */

const PLACEHOLDER = /\{(request_id|tenant_id|server_id|user)\}/g;

function contextValue(context: PluginContext | undefined, name: string): string | null {
  const global = context?.global_context;
  const value = name === 'user' && global?.user && typeof global.user === 'object' ? global.user.email : global?.[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

export default (config: HeaderInjectorConfig) => {
  const render = (template: string, context: PluginContext | undefined): string | null => {
    let missing = false;
    const value = template.replace(PLACEHOLDER, (_, name: string) => {
      const v = contextValue(context, name);
      if (v === null) missing = true;
      return v ?? '';
    });
    // a context value must not smuggle a second header line in
    return missing || /[\r\n\0]/.test(value) ? null : value;
  };

  const inject = (payload: Payload, context: PluginContext | undefined): HookResult | undefined => {
    const headers: Record<string, string> = { ...(payload.headers as Record<string, string> | null | undefined) };
    const injected: string[] = [];
    for (const [name, template] of Object.entries(config.headers)) {
      const value = render(template, context);
      if (value === null) continue;
      const existing = Object.keys(headers).filter((k) => k.toLowerCase() === name.toLowerCase());
      if (existing.length > 0 && !config.overwrite) continue;
      if (existing.length === 1 && headers[existing[0]!] === value) continue; // same header, same value
      for (const key of existing) delete headers[key];
      headers[name] = value;
      injected.push(name);
    }
    if (injected.length === 0) return undefined;
    return { modified_payload: { ...payload, headers }, metadata: { headers_injected: injected } };
  };

  return {
    tool_pre_invoke: inject,
    agent_pre_invoke: inject,
    http_pre_request: inject,
  };
};
