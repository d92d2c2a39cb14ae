/**
 * The globals a sandboxed plugin's compartment gets beyond SES's safe language globals (whose text codecs are
 * Cordon's own: text-codec.ts): `console` always, and
 * `fetch`, `env`, the clock and randomness only when its entry grants them. Every value is hardened and built here
 * from closures or from SES's own hardened intrinsics; no Node object is handed over.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance as hostPerformance } from 'node:perf_hooks';
import type { Capabilities } from '../core/capabilities.js';
import type { ConsoleSink } from './capabilities-console.js';

/** The grants the Compartment's endowments read; the store arrives as a host object. */
export type SandboxCapabilities = Partial<Omit<Capabilities, 'store'>>;
import { DEFAULT_CONSOLE_LIMITS, makeBoundedConsole, type ConsoleLimits } from './capabilities-console.js';
import { DEFAULT_FETCH_LIMITS, makeFetch, normalizeOrigins, type FetchLimits } from './fetch-capability.js';
import type { Lifetime } from './grant-scope.js';
import { toFailure } from '../core/failures.js';
import { toPlainData } from '../core/plain-data.js';
import { ungrantedEndowments } from './ungranted.js';

export interface SandboxLimits {
  console: ConsoleLimits;
  fetch: FetchLimits;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = Object.freeze({
  console: DEFAULT_CONSOLE_LIMITS,
  fetch: DEFAULT_FETCH_LIMITS,
});

/**
 * The start compartment's powerful `Date` and `Math` (SES's %InitialDate% and %InitialMath%): hardened intrinsics
 * shared by every compartment's prototypes anyway, so granting them adds only `Date.now()`, `new Date()` and
 * `Math.random()`. Read once, right after lockdown, by `hardenWorkerRealm`.
 */
export interface RealmPowers {
  Date: DateConstructor;
  Math: Math;
}

export interface EndowmentRequest {
  /** the plugin's name: the only identification in messages the plugin itself can read */
  name: string;
  /** name and file, for load errors that go to the host */
  label: string;
  capabilities: SandboxCapabilities;
  envValues: Record<string, string>;
  timeoutMs: number;
  limits: SandboxLimits;
  /** further capability objects the caller built (e.g. the store client for a `store` grant), by global name */
  hostObjects?: Record<string, object>;
  /** when the grants work (the plugin's invocation); fetches in flight when it ends are aborted */
  lifetime?: Lifetime;
}

/** Web Crypto's per-call limit for getRandomValues. */
const MAX_RANDOM_BYTES = 65536;
const INTEGER_ARRAYS = new Set([
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'BigInt64Array', 'BigUint64Array',
]);
const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
function intrinsicGetter<T>(key: PropertyKey): (this: unknown) => T {
  return Object.getOwnPropertyDescriptor(typedArrayProto, key)!.get as (this: unknown) => T;
}
const taTag = intrinsicGetter<string | undefined>(Symbol.toStringTag);
const taBuffer = intrinsicGetter<ArrayBufferLike>('buffer');
const taByteOffset = intrinsicGetter<number>('byteOffset');
const taByteLength = intrinsicGetter<number>('byteLength');

export function makeEndowments(request: EndowmentRequest, sink: () => ConsoleSink, powers: RealmPowers): Record<string, unknown> {
  const { capabilities, label } = request;
  const globals: Record<string, unknown> = {
    console: makeBoundedConsole(sink, request.limits.console),
  };
  if (capabilities.fetch && capabilities.fetch.length > 0) {
    if (!(request.timeoutMs > 0 && Number.isFinite(request.timeoutMs))) {
      throw new Error(`${label}: a fetch grant needs a finite positive timeoutMs, got ${request.timeoutMs}`);
    }
    globals.fetch = makeFetch({
      label: `plugin ${request.name}`,
      origins: normalizeOrigins(capabilities.fetch, label),
      timeoutMs: request.timeoutMs,
      limits: request.limits.fetch,
      ...(request.lifetime ? { lifetime: request.lifetime } : {}),
    });
  }
  if (capabilities.env && capabilities.env.length > 0) {
    globals.env = makeEnv(capabilities.env, request.envValues);
  }
  if (capabilities.clock === true) {
    globals.Date = powers.Date;
    globals.performance = harden({ now: () => hostPerformance.now(), timeOrigin: hostPerformance.timeOrigin });
  }
  if (capabilities.random === true) {
    globals.Math = powers.Math;
    globals.crypto = harden({ getRandomValues, randomUUID: () => randomUUID() });
  }
  for (const [name, object] of Object.entries(request.hostObjects ?? {})) {
    if (Object.hasOwn(globals, name) || reservedGlobals().has(name)) {
      throw new Error(`${label}: a host object may not replace the global '${name}'`);
    }
    globals[name] = wrapHostObject(object, request.lifetime);
  }
  // what is not granted is a stub whose error names the grant to add
  const stubs = ungrantedEndowments(request.name, {
    fetch: !globals.fetch, clock: !globals.performance, random: !globals.crypto, store: !globals.store,
  });
  return { ...stubs, ...globals };
}

let reserved: Set<string> | undefined;
/** Names a caller's host object may not take: every global of a bare compartment and every capability's name. */
function reservedGlobals(): Set<string> {
  reserved ??= new Set([
    ...Object.getOwnPropertyNames(new Compartment({ __options__: true }).globalThis),
    'console', 'fetch', 'env', 'performance', 'crypto',
  ]);
  return reserved;
}

/**
 * Hands over only the object's function-valued own properties, each behind a fresh wrapper called without a
 * receiver, so the plugin never holds the caller's functions or object (whose properties and prototype are not
 * hardened). What they return reaches the plugin as a plain copy (resolved values of promises too), and what they
 * throw as a fresh Error carrying only the message: an error class of the worker's own (say NotPlainDataError)
 * has a prototype lockdown never froze, which every plugin given the object could write to. With a lifetime, every
 * one of them lives only as long as the plugin's invocation, like fetch (its answer is then a promise).
 */
function wrapHostObject(object: object, lifetime: Lifetime | undefined): object {
  const wrapped: Record<string, (...args: unknown[]) => unknown> = {};
  for (const key of Object.keys(object)) {
    const fn = (object as Record<string, unknown>)[key];
    if (typeof fn !== 'function') continue;
    const call = (...args: unknown[]): unknown => {
      let result: unknown;
      try {
        result = Reflect.apply(fn, undefined, args);
      } catch (err) {
        throw plainError(err);
      }
      if (result instanceof Promise) return result.then(toPlainData, (err: unknown) => Promise.reject(plainError(err)));
      return toPlainData(result);
    };
    wrapped[key] = lifetime ? (...args: unknown[]) => lifetime.call(() => call(...args)) : call;
  }
  return harden(wrapped);
}

function plainError(err: unknown): Error {
  return new Error(toFailure(err).message);
}

/** Only names both granted and resolved by the host; anything else the host resolved by mistake stays out. */
function makeEnv(granted: readonly string[], values: Record<string, string>): object {
  const env: Record<string, string> = {};
  for (const name of granted) {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (typeof value === 'string' && name !== '__proto__') env[name] = value;
  }
  return harden(env);
}

/**
 * Fills the plugin's integer typed array through the intrinsic getters, so an own `byteLength` or `buffer`
 * property the plugin defined on its array cannot make Node write outside the array.
 */
function getRandomValues<T>(array: T): T {
  const tag = taTag.call(array);
  if (tag === undefined || !INTEGER_ARRAYS.has(tag)) {
    throw new TypeError('crypto.getRandomValues takes an integer typed array');
  }
  const length = taByteLength.call(array);
  if (length > MAX_RANDOM_BYTES) {
    throw new RangeError(`crypto.getRandomValues: ${length} bytes is over the limit of ${MAX_RANDOM_BYTES}`);
  }
  new Uint8Array(taBuffer.call(array), taByteOffset.call(array), length).set(randomBytes(length));
  return array;
}
