import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mean, median, medianRound, percentile, percentileSorted, summarize } from '../../bench/stats.js';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

describe('percentile (linear interpolation between closest ranks)', () => {
  it('matches hand-computed values on 1..100', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    close(percentile(xs, 0.5), 50.5);
    close(percentile(xs, 0.95), 95.05);
    close(percentile(xs, 0.99), 99.01);
    close(percentile(xs, 0), 1);
    close(percentile(xs, 1), 100);
  });

  it('interpolates between the two middle values of a small sample', () => {
    close(percentile([1, 2, 3, 4], 0.5), 2.5);
    close(percentile([1, 2, 3, 4], 0.25), 1.75);
    close(percentile([10, 20], 0.9), 19);
    close(percentile([7], 0.99), 7);
  });

  it('sorts numerically, not as strings, and leaves the input alone', () => {
    const xs = [100, 9, 25, 1000, 3];
    close(percentile(xs, 0.5), 25);
    assert.deepEqual(xs, [100, 9, 25, 1000, 3]);
  });

  it('reads an already sorted sample as given', () => {
    close(percentileSorted(Float64Array.from([1, 2, 3, 4, 5]), 0.75), 4);
  });

  it('refuses an empty sample and a rank outside 0..1', () => {
    assert.throws(() => percentile([], 0.5), RangeError);
    assert.throws(() => percentile([1], 1.5), RangeError);
    assert.throws(() => percentile([1], Number.NaN), RangeError);
  });
});

describe('median, mean and summarize', () => {
  it('median of odd and even samples', () => {
    close(median([5, 1, 3]), 3);
    close(median([4, 1, 3, 2]), 2.5);
  });

  it('mean', () => {
    close(mean([1, 2, 3, 4]), 2.5);
    assert.throws(() => mean([]), RangeError);
  });

  it('summarize gives count, extremes, mean and the three percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    const s = summarize(xs);
    assert.equal(s.n, 100);
    assert.equal(s.min, 1);
    assert.equal(s.max, 100);
    close(s.mean, 50.5);
    close(s.p50, 50.5);
    close(s.p95, 95.05);
    close(s.p99, 99.01);
    assert.throws(() => summarize([]), RangeError);
  });
});

describe('medianRound', () => {
  const rounds = [{ p50: 30, id: 'a' }, { p50: 10, id: 'b' }, { p50: 20, id: 'c' }];

  it('returns the round whose key is the median', () => {
    assert.equal(medianRound(rounds, (r) => r.p50).id, 'c');
  });

  it('takes the lower middle round of an even count, so a real round is reported', () => {
    assert.equal(medianRound([...rounds, { p50: 40, id: 'd' }], (r) => r.p50).id, 'c');
  });

  it('refuses no rounds', () => {
    assert.throws(() => medianRound([], () => 0), RangeError);
  });
});
