import { loadConfig } from '../bundled.js';
import { violationError } from '../runtime/executor.js';
import { closestName, knownHookNames } from '../core/hook-names.js';
import { CliError, EXIT, startupError, type ExitCode } from './failures.js';
import { cliLogger, newRequestId, oneLine, readJson, terminalJson, withManager, type Io } from './io.js';

/**
 * `cordon invoke`: one hook invocation, as a gateway would make it, printed as `{result, contexts}` JSON on
 * stdout. The input is checked before any worker starts: the config, the hook name, the payload and the
 * context. A block still prints the result (the caller may want the violation as JSON) and exits 1.
 */
export async function invokeCommand(configPath: string, hook: string, payloadSource: string, options: { context?: string }, io: Io): Promise<ExitCode> {
  const config = await loadConfig(configPath).catch((err: unknown) => {
    throw startupError(err, configPath);
  });
  const known = knownHookNames(config.plugins.map((p) => p.hooks));
  if (!known.has(hook)) {
    const closest = closestName(hook, known);
    throw new CliError(`unknown hook ${hook}: not a built-in hook point (see cordon hooks) and no plugin in ${configPath} registers it`
      + (closest ? `; did you mean ${closest}?` : ''), EXIT.badInput);
  }
  const payload = await readJson(payloadSource, 'payload');
  const context = options.context ? await readJson(options.context, 'context') : {};
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new CliError(`context ${options.context} must hold a JSON object (a global context: request_id, user, tenant_id, ...)`, EXIT.badInput);
  }
  const global = { request_id: newRequestId(), ...context };
  const { result, contexts } = await withManager(configPath, cliLogger(io), (manager) => manager.invokeHook(hook, payload, global));
  io.out(`${terminalJson({ result, contexts })}\n`);
  if (result.continue_processing) return EXIT.ok;
  io.err(`cordon: ${oneLine(violationError(hook, result.violation?.plugin_name ?? 'unknown', result.violation).message)}\n`);
  return EXIT.failed;
}
