/**
 * Spans found in a text by a list of detectors, kept ordered and without overlaps: the detector that claims a span
 * first keeps it, so more specific detectors are listed first.
 */

export interface Finding<T extends string = string> {
  type: T;
  start: number;
  end: number;
}

/** Whether [start, end) overlaps a finding of `sorted` (ordered by start, none overlapping): a binary search. */
export function overlaps(sorted: readonly Finding[], start: number, end: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo]!.start < end;
}

/**
 * Adds one detector's findings (which never overlap each other) to the sorted, claimed ones, dropping those that
 * overlap a claim; returns the new sorted list.
 */
export function claim<T extends string>(found: Finding<T>[], mine: Finding<T>[]): Finding<T>[] {
  const kept = mine.filter((f) => !overlaps(found, f.start, f.end));
  if (kept.length === 0) return found;
  return [...found, ...kept].sort((a, b) => a.start - b.start);
}

/** `text` with each finding replaced by `replace(finding, its text)`; `text` itself when there are none. */
export function replaceFindings<T extends string>(text: string, found: readonly Finding<T>[], replace: (f: Finding<T>, value: string) => string): string {
  if (found.length === 0) return text;
  let out = '';
  let at = 0;
  for (const f of found) {
    out += text.slice(at, f.start) + replace(f, text.slice(f.start, f.end));
    at = f.end;
  }
  return out + text.slice(at);
}
