import { fileURLToPath } from 'node:url';
import { contextForgeClassPaths } from './contextforge-plugins.js';
import { bundledSchemas } from '../plugins/schemas.js';
import { loadConfig as loadWith } from './runtime/config-loader.js';
import type { ConfigInput, ResolvedConfig } from './runtime/config.js';
import type { PluginCatalogue } from './runtime/kinds.js';
import { PluginManager as Manager, type ManagerOptions } from './runtime/manager.js';

/**
 * The package as users get it: the runtime with the bundled plugins' catalogue handed in. The runtime itself never
 * imports `plugins/`, so it builds and is tested without them.
 */
export const bundledCatalogue: PluginCatalogue = {
  // compiled bundled plugins sit beside this module's package output: dist/plugins
  dir: fileURLToPath(new URL('../plugins/', import.meta.url)),
  schemas: bundledSchemas,
  classPaths: contextForgeClassPaths,
};

/**
 * The absolute path of the package's default chain, plugins/config.yaml (beside dist/, not inside it), so an
 * application can run it as `new PluginManager(BUNDLED_CONFIG)` from any directory. Also exported by the package as
 * `cordon/plugins/config.yaml`.
 */
export const BUNDLED_CONFIG = fileURLToPath(new URL('../../plugins/config.yaml', import.meta.url));

/** Loads and validates a config, resolving kinds against the bundled plugins unless another catalogue is given. */
export function loadConfig(source: string | ConfigInput, catalogue: PluginCatalogue = bundledCatalogue): Promise<ResolvedConfig> {
  return loadWith(source, catalogue);
}

/** The plugin manager, with the bundled plugins known by name unless `options.catalogue` says otherwise. */
export class PluginManager extends Manager {
  constructor(source: string | ConfigInput, options: ManagerOptions = {}) {
    super(source, { catalogue: bundledCatalogue, ...options });
  }
}
