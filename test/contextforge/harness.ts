import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach } from 'node:test';
import { PluginManager } from '../../src/bundled.js';

/**
 * What every ContextForge parity file shares: configs written as ContextForge writes them (class-path kinds, its
 * config keys and its `plugin_settings`), loaded through the public API. Each file ports the expectations of one
 * ContextForge or cpex test suite, with our own payloads; `LEDGER.md` beside them says, test by test, where each
 * expectation went or why it did not.
 */

const SETTINGS = `
plugin_dirs: ["plugins/native", "plugins/custom"]
plugin_settings:
  parallel_execution_within_band: true
  plugin_timeout: 30
  fail_on_plugin_error: false
  enable_plugin_api: true
  plugin_health_check_interval: 60
`;

export const ctx = { request_id: 'cf-parity-1', user: 'tester' };
export const message = (text: string) => ({ role: 'user', content: { type: 'text', text } });

/**
 * Registers the file's hooks and returns `managerFor(name, pluginsYaml)`: a manager made in a test is shut down
 * after that test; one made in a describe block's `before` is shared by the block and shut down at the end.
 */
export function useManagers(): (name: string, yaml: string) => Promise<PluginManager> {
  // made on first use: a describe block's `before` may run ahead of a file-level one
  let dir: Promise<string> | null = null;
  const directory = () => (dir ??= mkdtemp(join(tmpdir(), 'cordon-cf-parity-')));
  const shared: PluginManager[] = [];
  let ownByTest: PluginManager[] | null = null;
  beforeEach(() => {
    ownByTest = [];
  });
  afterEach(async () => {
    await Promise.all((ownByTest ?? []).map((m) => m.shutdown()));
    ownByTest = null;
  });
  after(async () => {
    await Promise.all(shared.map((m) => m.shutdown()));
    if (dir) await rm(await dir, { recursive: true, force: true });
  });
  return async (name, yaml) => {
    const path = join(await directory(), `${name}.yaml`);
    await writeFile(path, `${yaml}${SETTINGS}`);
    const manager = new PluginManager(path);
    (ownByTest ?? shared).push(manager);
    await manager.initialize();
    return manager;
  };
}
