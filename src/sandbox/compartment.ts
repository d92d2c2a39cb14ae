/**
 * The capability boundary inside a worker: hardens the worker's realm once with SES and evaluates each sandboxed
 * plugin in a Compartment of its own, whose globals are SES's safe language globals plus the endowments of
 * capabilities.ts. Worker side only: importing this module installs SES's globals (`lockdown`, `harden`,
 * `Compartment`), which the host never wants.
 */
import 'ses';
import type { CompiledModuleRecord } from '../core/self-contained.js';
import { SANDBOX_MODULE } from '../core/sandbox-module.js';
import { DEFAULT_SANDBOX_LIMITS, makeEndowments, type EndowmentRequest, type RealmPowers, type SandboxCapabilities, type SandboxLimits } from './capabilities.js';
import type { ConsoleLevel, ConsoleSink } from './capabilities-console.js';
import { installTextCodecs } from './text-codec.js';

/**
 * A plugin as the boundary loads it: the grants as the endowments take them (capabilities, env values, timeout for
 * fetch, host objects such as the store client, and the lifetime that bounds them), plus its module.
 */
export interface SandboxedPluginDef extends Pick<EndowmentRequest, 'name' | 'capabilities' | 'envValues' | 'timeoutMs' | 'hostObjects' | 'lifetime'> {
  /** the plugin file's text, when known: only to point at the offending line in a load error */
  source?: string;
  /** the file path or URL, for messages only */
  specifier: string;
  /** handed to the default export if it is a function */
  config: Record<string, unknown>;
  /** the module as `compileSandboxedSource` (runtime/compile.ts) made it on the host; checked again here */
  compiled: string;
  /** overrides of the console and fetch bounds (DEFAULT_SANDBOX_LIMITS) */
  limits?: { console?: Partial<SandboxLimits['console']>; fetch?: Partial<SandboxLimits['fetch']> };
}

export type { ConsoleLevel, ConsoleSink, SandboxCapabilities };

export interface LoadedPlugin {
  hooks: Record<string, (payload: unknown, context: unknown) => unknown>;
  shutdown?: () => unknown;
}

export { DEFAULT_SANDBOX_LIMITS, type SandboxLimits };

const PLUGIN_SPECIFIER = './plugin.js';
/** characters of a plugin's thrown message kept in a load error */
const MAX_DESCRIPTION = 1000;

let powers: RealmPowers | undefined;

/** Locks the worker's realm down once; later calls do nothing. */
export function hardenWorkerRealm(): void {
  if (powers) return;
  const codecs = installTextCodecs();
  lockdown({
    // Errors' stacks are hidden from code (`err.stack` is ''), and V8's stack API (prepareStackTrace,
    // captureStackTrace) cannot be used to reach the frames' functions: both are known ways out of `node:vm`.
    errorTaming: 'safe',
    // Not a safety matter; the concise form of stacks for SES's own console (which we do not use).
    stackFiltering: 'concise',
    // Node's own handling of an uncaught error (the worker ends and Piscina replaces it) is the one we want; SES
    // would print to the worker's stdout, which is the host's, and exit on its own terms.
    errorTrapping: 'none',
    // Same reason: Node's default for an unhandled rejection in a worker ends that worker, which the pool recovers.
    unhandledRejectionTrapping: 'none',
    // lockdown's own diagnostics would go to the host's stderr on every worker start; they carry no plugin data.
    reporting: 'none',
    // Removes RegExp.prototype.compile and the legacy static RegExp.$1..$9 / lastMatch, which would let one
    // plugin read another's last match through the shared RegExp constructor.
    regExpTaming: 'safe',
    // toLocaleString and friends become their locale-free versions, so a plugin learns nothing of the host's
    // locale and behaves the same on every host.
    localeTaming: 'safe',
    // The worker's console is never endowed (each plugin gets its own bounded one), so wrapping it buys nothing.
    consoleTaming: 'unsafe',
    // Lets plugin code assign `toString`, `constructor` and the like on its own objects whose inherited
    // properties are frozen (the "override mistake"), at a small cost; 'min' would break common code.
    overrideTaming: 'moderate',
    // Diagnostics for the override taming; none wanted.
    overrideDebug: [],
    // Node domains would hang a host `domain` object on promises and emitters; SES checks none is in use.
    domainTaming: 'safe',
    // eval and Function inside a compartment are confined to it (its own global, SES's text checks), so they add
    // nothing a plugin cannot already do; 'no-eval' would break plugins that build functions, 'unsafe-eval'
    // would leave the start compartment's evaluators unconfined.
    evalTaming: 'safe-eval',
    // The regenerator-runtime workaround mutates a shared intrinsic; no plugin code needs it.
    legacyRegeneratorRuntimeTaming: 'safe',
    // 'unsafe' would make harden() a no-op, and every endowment relies on it.
    __hardenTaming__: 'safe',
    // dateTaming and mathTaming are deprecated no-ops (SES warns when they are passed): Date.now(), new Date()
    // and Math.random() throw in every compartment unless the clock or random capability grants them.
  });
  powers = Object.freeze({ Date: globalThis.Date, Math: globalThis.Math });
  if (!Object.isFrozen(powers.Date) || !Object.isFrozen(powers.Math)) {
    throw new Error('hardenWorkerRealm: the worker realm was changed before lockdown (Date or Math is not hardened)');
  }
  const bare = new Compartment({ __options__: true }).globalThis as Record<string, unknown>;
  if (bare.TextDecoder !== codecs.TextDecoder || bare.TextEncoder !== codecs.TextEncoder || !Object.isFrozen(codecs.TextDecoder)) {
    throw new Error("hardenWorkerRealm: compartments did not get Cordon's text codecs in place of Node's");
  }
}

/** Evaluates the plugin in its own Compartment and resolves its default export (object, or function of config). */
export async function loadSandboxedPlugin(def: SandboxedPluginDef, sink: () => ConsoleSink): Promise<LoadedPlugin> {
  hardenWorkerRealm();
  const label = `Sandboxed plugin ${def.name} (${def.specifier})`;
  const record = await readCompiled(def.compiled, def, label);
  const limits: SandboxLimits = {
    console: { ...DEFAULT_SANDBOX_LIMITS.console, ...def.limits?.console },
    fetch: { ...DEFAULT_SANDBOX_LIMITS.fetch, ...def.limits?.fetch },
  };
  const globals = makeEndowments(
    {
      name: def.name, label, capabilities: def.capabilities ?? {}, envValues: def.envValues ?? {}, timeoutMs: def.timeoutMs, limits,
      ...(def.hostObjects ? { hostObjects: def.hostObjects } : {}), ...(def.lifetime ? { lifetime: def.lifetime } : {}),
    },
    sink,
    powers!,
  );
  const compartment = new Compartment({
    __options__: true,
    name: def.name,
    // SES's typings say Map; the shim spreads a plain record (a Map would endow nothing).
    globals: globals as unknown as Map<string, unknown>,
    modules: { [PLUGIN_SPECIFIER]: { source: record }, [SANDBOX_MODULE]: { namespace: sandboxModule() } } as unknown as Map<string, never>,
    resolveHook: (specifier: string) => {
      if (specifier === SANDBOX_MODULE) return SANDBOX_MODULE;
      throw new Error(`${label} cannot import '${specifier}'`);
    },
    noAggregateLoadErrors: true,
  });
  try {
    let exported: unknown = compartment.importNow(PLUGIN_SPECIFIER).default;
    if (typeof exported === 'function') exported = await exported(structuredClone(def.config ?? {}));
    if (typeof exported === 'object' && exported !== null) return collectHooks(exported);
  } catch (err) {
    throw new Error(`${label} failed while loading: ${describeThrown(err)}`);
  }
  throw new Error(`${label}: the default export must be a hooks object, or a function of config returning one`);
}

let sandboxNamespace: object | undefined;
/**
 * What `import { definePlugin } from 'cordon'` yields inside a compartment: a hardened object holding one frozen
 * identity function, shared by every plugin of the worker (it holds no state, so sharing it leaks nothing).
 */
function sandboxModule(): object {
  sandboxNamespace ??= harden({ definePlugin: (plugin: unknown) => plugin });
  return sandboxNamespace;
}

async function readCompiled(text: string, def: SandboxedPluginDef, label: string): Promise<CompiledModuleRecord> {
  let record: CompiledModuleRecord;
  try {
    record = JSON.parse(text) as CompiledModuleRecord;
  } catch {
    throw new Error(`${label}: its compiled text is not JSON (pass the output of compileSandboxedSource)`);
  }
  if (typeof record !== 'object' || record === null || typeof record.__syncModuleProgram__ !== 'string' ||
    !Array.isArray(record.imports) || !Array.isArray(record.exports) || !Array.isArray(record.reexports)) {
    throw new Error(`${label}: its compiled text is not a module record (pass the output of compileSandboxedSource)`);
  }
  // Precompiled text is checked again here: the worker does not trust it to come from the checking compiler.
  if (record.imports.some((s) => s !== SANDBOX_MODULE) || record.reexports.length > 0 || record.__needsImport__) {
    // imported only then: it brings SES's text transforms, which a well-formed module does not need
    (await import('../core/self-contained.js')).checkSelfContained(record, def.source, def);
  }
  return harden(record);
}

/** Reads each hook once, at load: a plugin redefining a property later does not change what is called. */
function collectHooks(exported: object): LoadedPlugin {
  const target = exported as Record<string, unknown>;
  const hooks: LoadedPlugin['hooks'] = {};
  let shutdown: LoadedPlugin['shutdown'];
  for (const key of methodNames(target)) {
    const fn = target[key];
    if (typeof fn !== 'function') continue;
    // calling with the hooks object as `this` keeps plugins that use this.helper() working
    const call = (...args: unknown[]) => Reflect.apply(fn, target, args) as unknown;
    if (key === 'shutdown') shutdown = call;
    else hooks[key] = call;
  }
  return shutdown ? { hooks, shutdown } : { hooks };
}

/**
 * Own and inherited string keys up to Object.prototype, so a class instance's methods count as hooks; the depth
 * bound stops a proxy that invents prototypes forever.
 */
function methodNames(obj: object): string[] {
  const names = new Set<string>();
  let depth = 0;
  for (let o: object | null = obj; o !== null && o !== Object.prototype && depth < 32; o = Object.getPrototypeOf(o), depth++) {
    for (const key of Object.getOwnPropertyNames(o)) if (key !== 'constructor') names.add(key);
  }
  return [...names];
}

/** Reads what a plugin threw without trusting it to be an Error (its getters are the plugin's own code). */
function describeThrown(err: unknown): string {
  let text: string;
  try {
    if (err instanceof Error) text = `${String(err.name)}: ${String(err.message)}`;
    else text = typeof err === 'string' ? err : `a thrown ${err === null ? 'null' : typeof err}`;
  } catch {
    text = 'an unreadable thrown value';
  }
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}...` : text;
}
