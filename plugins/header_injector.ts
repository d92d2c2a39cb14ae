import type { HeaderInjectorConfig, HookResult, Payload, PluginContext } from './schemas.js';

/**
 * Adds headers to outgoing tool, agent and HTTP requests and resource fetches (`metadata.headers`, only for URIs
 * starting with one of `uri_prefixes` when set), or overrides them (names match case-insensitively).
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

  /** The headers with ours set, and the names set; null when nothing changes. */
  const merge = (current: unknown, context: PluginContext | undefined) => {
    const headers: Record<string, string> = current && typeof current === 'object' && !Array.isArray(current) ? { ...(current as Record<string, string>) } : {};
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
    return injected.length === 0 ? null : { headers, injected };
  };

  const inject = (payload: Payload, context: PluginContext | undefined): HookResult | undefined => {
    const merged = merge(payload.headers, context);
    if (!merged) return undefined;
    return { modified_payload: { ...payload, headers: merged.headers }, metadata: { headers_injected: merged.injected } };
  };

  /** A resource fetch carries its headers in `metadata.headers`, as ContextForge's gateway reads them. */
  const injectResource = (payload: Payload, context: PluginContext | undefined): HookResult | undefined => {
    const uri = String(payload.uri);
    if (config.uri_prefixes.length > 0 && !config.uri_prefixes.some((prefix) => uri.startsWith(prefix))) return undefined;
    const metadata = (payload.metadata ?? {}) as Record<string, unknown>;
    const merged = merge(metadata.headers, context);
    if (!merged) return undefined;
    return { modified_payload: { ...payload, metadata: { ...metadata, headers: merged.headers } }, metadata: { headers_injected: merged.injected } };
  };

  return {
    tool_pre_invoke: inject,
    agent_pre_invoke: inject,
    http_pre_request: inject,
    resource_pre_fetch: injectResource,
  };
};
