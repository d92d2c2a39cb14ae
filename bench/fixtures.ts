import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The bench's plugin files live in bench/plugins (plain ESM, not compiled); from dist/bench they are two levels
 * up. Plugins take an absolute path so a config object finds them whatever the current directory is.
 */
export function pluginPath(name: 'noop' | 'regex-scan' | 'runaway'): string {
  return fileURLToPath(new URL(`../../bench/plugins/${name}.js`, import.meta.url));
}

export type Hooks = Record<string, (payload: unknown, context: unknown) => unknown>;

/** A bench plugin loaded in this thread, for the direct-call baselines. */
export async function loadPluginHere(name: 'noop' | 'regex-scan', config: Record<string, unknown> = {}): Promise<Hooks> {
  const mod = (await import(pathToFileURL(pluginPath(name)).href)) as { default: (config: unknown) => Hooks };
  return mod.default(config);
}

/** A fresh global context per call, as a gateway builds one per request. */
export function globalContext(id: number | string): { request_id: string; state: Record<string, unknown>; metadata: Record<string, unknown> } {
  return { request_id: `bench-${id}`, state: {}, metadata: {} };
}
