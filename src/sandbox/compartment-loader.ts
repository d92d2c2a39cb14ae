import { FailureError, failures, toFailure } from '../core/failures.js';
import type { LoadedPlugin } from '../core/loader.js';
import type { PluginDefinition } from '../core/protocol.js';
import type { StoreCapability } from '../core/store-protocol.js';
import type { ConsoleSink } from './capabilities-console.js';
import type { Lifetime } from './grant-scope.js';
import { explainRefusal } from './ungranted.js';

/**
 * A plugin of a `compartment` isolation level: its module, compiled on the host, is evaluated in a Compartment of
 * its own. The compartment module is only imported here, on first use: it installs SES's globals, which a `worker`
 * pool does not want. Its store, when granted, is a global.
 */
export async function loadInCompartment(def: PluginDefinition, store: StoreCapability, sink: () => ConsoleSink, lifetime: Lifetime): Promise<LoadedPlugin> {
  try {
    if (def.compiled === undefined) throw new Error(`plugin ${def.name} reached the worker without its compiled module`);
    const { loadSandboxedPlugin } = await import('./compartment.js');
    const loaded = await loadSandboxedPlugin({
      name: def.name, specifier: def.modulePath, config: def.config, capabilities: def.capabilities,
      envValues: def.envValues, timeoutMs: def.timeoutMs, compiled: def.compiled,
      ...(def.capabilities.store ? { hostObjects: { store } } : {}), lifetime,
    }, sink);
    const explained = (err: unknown) => {
      const failure = toFailure(err);
      return new FailureError({ ...failure, message: explainRefusal(failure.message, def.name) });
    };
    return {
      hooks: Object.keys(loaded.hooks),
      call: (hook, payload, context) => {
        let result: unknown;
        try {
          result = loaded.hooks[hook]!(payload, context);
        } catch (err) {
          throw explained(err);
        }
        // only the realm's own promises are chained here (through the intrinsic `then`); anything else is awaited as before
        return result instanceof Promise ? Reflect.apply(promiseThen, result, [undefined, (err: unknown) => {
          throw explained(err);
        }]) : result;
      },
      shutdown: async () => {
        await loaded.shutdown?.();
      },
    };
  } catch (err) {
    throw new FailureError(failures.loadFailed(explainRefusal(toFailure(err).message, def.name)));
  }
}

const promiseThen = Promise.prototype.then;
