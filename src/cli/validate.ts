import { loadConfig } from '../bundled.js';
import type { ResolvedConfig } from '../runtime/config.js';
import { ConfigError } from '../core/errors.js';
import { CliError, EXIT, issueText, startupError, type ExitCode } from './failures.js';
import { cliLogger, oneLine, withManager, type Io } from './io.js';
import { renderTable } from './table.js';

/**
 * `cordon validate`: the config parses, every kind resolves, and (unless --no-load) every enabled plugin loads
 * and implements the hooks it is registered for, which is what `initialize()` checks. Each config issue is a
 * line of its own on stderr, so a long list stays readable and greppable.
 */
export async function validateCommand(configPath: string, options: { load: boolean }, io: Io): Promise<ExitCode> {
  let config: ResolvedConfig;
  try {
    config = await loadConfig(configPath);
    if (options.load) await withManager(configPath, cliLogger(io), async () => {});
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof ConfigError ? err.cause : err;
    if (cause instanceof ConfigError) {
      for (const issue of cause.issues) io.err(`cordon: invalid config ${configPath}: ${oneLine(issueText(issue))}\n`);
      return EXIT.badInput;
    }
    throw err instanceof CliError ? err : startupError(err, configPath);
  }
  io.out(`${summary(config, configPath, options.load, io)}\n`);
  return EXIT.ok;
}

function summary(config: ResolvedConfig, label: string, loaded: boolean, io: Io): string {
  const { settings, plugins } = config;
  const enabled = plugins.filter((p) => p.mode !== 'disabled');
  const hooks = [...new Set(enabled.flatMap((p) => p.hooks))];
  const head = `${io.style('green', 'ok')} ${label}: ${enabled.length} plugin${enabled.length === 1 ? '' : 's'} enabled`
    + `${plugins.length > enabled.length ? `, ${plugins.length - enabled.length} disabled` : ''}`
    + `, ${hooks.length} hook point${hooks.length === 1 ? '' : 's'}${loaded ? ', all loaded' : ' (not loaded: --no-load)'}`;
  const settingsLine = `settings: timeout ${settings.plugin_timeout} s, max payload ${settings.max_payload_bytes} bytes, `
    + `default hook policy ${settings.default_hook_policy}, fail on plugin error ${settings.fail_on_plugin_error ? 'yes' : 'no'}, `
    + `${settings.threads} thread${settings.threads === 1 ? '' : 's'} per pool`;
  if (plugins.length === 0) return `${head}\n${settingsLine}`;
  const rows = plugins.map((p) => [
    { text: p.name, format: p.mode === 'disabled' ? ('dim' as const) : undefined },
    { text: p.kind },
    { text: p.mode },
    { text: String(p.priority) },
    { text: p.isolation },
    { text: p.conditions.length ? `${p.conditions.length}` : '-' },
    { text: p.hooks.join(', ') },
  ]);
  return `${head}\n${settingsLine}\n\n${renderTable(['PLUGIN', 'KIND', 'MODE', 'PRIORITY', 'ISOLATION', 'CONDITIONS', 'HOOKS'], rows, io.style)}`;
}
