// A quantile from histogram bucket counts, interpolated linearly inside the bucket it falls in,
// as Prometheus' histogram_quantile() does. The dashboard's p50 and p99 come from the counts the
// metrics already keep, differenced over a window; nothing is timed twice.

/**
 * @param q 0..1
 * @param bounds upper bounds of the finite buckets, increasing
 * @param counts per-bucket counts (not cumulative), one more than `bounds`: the last is +Inf's
 * @returns the estimate in the bounds' unit, NaN when the counts are all 0
 */
export function bucketQuantile(
  q: number,
  bounds: readonly number[],
  counts: ArrayLike<number>,
): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0) return NaN;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (below + count >= rank && count > 0) {
      // Past the last bound there is no upper edge: say the last bound, as Prometheus does.
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? NaN;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const upper = bounds[i]!;
      return lower + (upper - lower) * ((rank - below) / count);
    }
    below += count;
  }
  return bounds[bounds.length - 1] ?? NaN;
}
