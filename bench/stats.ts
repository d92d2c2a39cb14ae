/**
 * Descriptive statistics for bench samples.
 *
 * Percentiles use linear interpolation between the two closest ranks (Hyndman & Fan type 7, numpy's and R's
 * default): for a sorted sample x[0..n-1], the p-quantile sits at h = (n - 1) * p and is
 * x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]). So p50 of an even sample is the mean of the two
 * middle values, p0 is the minimum and p100 the maximum.
 */

export interface Summary {
  n: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Quantile `p` (0..1) of an ascending sample. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('percentile of an empty sample');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile rank ${p} is outside 0..1`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo]!;
  return a + (h - lo) * (sorted[hi]! - a);
}

/** Quantile `p` (0..1) of a sample in any order; the input is not changed. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  return percentileSorted(sortedCopy(samples), p);
}

export function median(samples: ArrayLike<number>): number {
  return percentile(samples, 0.5);
}

export function mean(samples: ArrayLike<number>): number {
  if (samples.length === 0) throw new RangeError('mean of an empty sample');
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]!;
  return sum / samples.length;
}

export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = sortedCopy(samples);
  if (sorted.length === 0) throw new RangeError('summary of an empty sample');
  return {
    n: sorted.length,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    mean: mean(sorted),
    p50: percentileSorted(sorted, 0.5),
    p95: percentileSorted(sorted, 0.95),
    p99: percentileSorted(sorted, 0.99),
  };
}

/**
 * The round whose `key` is the median of all rounds. With an even count the lower of the two middle rounds is
 * taken, so what is reported is always one real round whose figures belong together (an interpolated p50 next to
 * another round's p99 would describe no run at all).
 */
export function medianRound<T>(rounds: readonly T[], key: (round: T) => number): T {
  if (rounds.length === 0) throw new RangeError('median of no rounds');
  const ordered = [...rounds].sort((a, b) => key(a) - key(b));
  return ordered[Math.floor((ordered.length - 1) / 2)]!;
}

function sortedCopy(samples: ArrayLike<number>): Float64Array {
  // A typed array sorts numerically (a plain array's default sort compares strings).
  return Float64Array.from(samples).sort();
}
