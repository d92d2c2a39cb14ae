/**
 * What a sandboxed plugin meets when it uses a capability its entry does not grant: an error that names the grant
 * to add, instead of `fetch is not a function` or SES's `Calling %SharedDate%.now() throws`.
 *
 * `fetch`, `performance`, `crypto` and `store` become stubs: frozen plain functions (and frozen objects of them)
 * that throw a TypeError built from a fixed string, holding nothing else. The clock's and randomness's own
 * intrinsics (`Date.now()`, `new Date()`, `Math.random()`) are SES's shared ones, which cannot be replaced per
 * compartment: their TypeErrors are recognised by their fixed text and explained after the fact.
 */

export interface Ungranted {
  fetch?: boolean;
  clock?: boolean;
  random?: boolean;
  store?: boolean;
}

const refusal = (message: string) => harden((..._args: unknown[]): never => {
  throw new TypeError(message);
});

const WHAT = { fetch: 'fetch', clock: 'the clock', random: 'randomness', store: 'the shared store' } as const;

/** The advice for each capability, worded as the config entry that grants it. */
export function grantAdvice(capability: 'fetch' | 'clock' | 'random' | 'store', plugin: string): string {
  const key = capability === 'fetch' ? 'capabilities.fetch: [origin]' : `capabilities.${capability}: true`;
  return `${WHAT[capability]} is not granted: add ${key} to plugin ${plugin}`;
}

/** The stubs for the capabilities in `missing`, by global name. */
export function ungrantedEndowments(plugin: string, missing: Ungranted): Record<string, unknown> {
  const stubs: Record<string, unknown> = {};
  if (missing.fetch) stubs.fetch = refusal(grantAdvice('fetch', plugin));
  if (missing.clock) stubs.performance = harden({ now: refusal(grantAdvice('clock', plugin)) });
  if (missing.random) {
    const refuse = refusal(grantAdvice('random', plugin));
    stubs.crypto = harden({ getRandomValues: refuse, randomUUID: refuse });
  }
  if (missing.store) {
    const refuse = refusal(grantAdvice('store', plugin));
    stubs.store = harden({ incr: refuse, get: refuse, set: refuse, delete: refuse, swap: refuse });
  }
  return stubs;
}

/** SES's own refusals of the shared clock and randomness, by the fixed start of their messages. */
const SES_REFUSALS: ReadonlyArray<[RegExp, 'clock' | 'random']> = [
  [/^secure mode Calling (new )?%SharedDate%/, 'clock'],
  [/^secure mode %SharedMath%\.random\(\) throws/, 'random'],
];

/** A failure message of a sandboxed plugin, with the grant to add when SES refused it the clock or randomness. */
export function explainRefusal(message: string, plugin: string): string {
  for (const [pattern, capability] of SES_REFUSALS) {
    if (pattern.test(message)) return `${grantAdvice(capability, plugin)} (${message})`;
  }
  return message;
}
