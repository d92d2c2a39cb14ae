import { HOOK_NAMES } from './hooks.js';

/**
 * The hook names an invocation may use (hooks.md): the built-in ones and every hook a plugin of the config names,
 * enabled or not. Any other name is a caller's typo that would skip every guardrail, so it must fail, not pass.
 */
export function knownHookNames(configured: Iterable<readonly string[]>): ReadonlySet<string> {
  const known = new Set(HOOK_NAMES);
  for (const hooks of configured) for (const hook of hooks) known.add(hook);
  return known;
}

/** The known name nearest to `name` by edit distance (ties: the first in `known`'s order). */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Levenshtein distance, one row at a time; names are short, and a caller's name is cut to keep this bounded. */
function editDistance(a: string, b: string): number {
  a = a.slice(0, 200);
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}
