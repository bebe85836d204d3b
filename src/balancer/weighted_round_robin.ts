// Smooth weighted round-robin, as nginx does it: each pick adds every backend's weight to its
// running score, takes the highest score and subtracts the total from it. Weights 5,1,1 give
// a a b a c a a — the heavy backend's turns are spread out instead of sent in a burst.
import { effectiveWeight, type SlowStartOptions } from "./slow_start.ts";
import type { Strategy } from "./strategy.ts";
import type { Upstream } from "./upstream.ts";

export interface WeightedRoundRobinOptions {
  slowStart?: SlowStartOptions;
  now?: () => number;
}

export function weightedRoundRobin(
  { slowStart, now = Date.now }: WeightedRoundRobinOptions = {},
): Strategy {
  // Scores are selection state, not health, so they live here; a WeakMap lets removed
  // backends go without bookkeeping.
  const scores = new WeakMap<Upstream, number>();
  return {
    name: "weighted-round-robin",
    pick(upstreams) {
      if (upstreams.length <= 1) return upstreams[0];
      const at = now();
      const weights = upstreams.map((u) => effectiveWeight(u, at, slowStart));
      let total = weights.reduce((sum, w) => sum + w, 0);
      // All weights 0 (every backend drained by its weight): share equally rather than fail.
      if (total === 0) {
        weights.fill(1);
        total = weights.length;
      }
      let best: Upstream | undefined;
      let bestScore = -Infinity;
      upstreams.forEach((upstream, i) => {
        const score = (scores.get(upstream) ?? 0) + weights[i]!;
        scores.set(upstream, score);
        if (weights[i]! > 0 && score > bestScore) {
          best = upstream;
          bestScore = score;
        }
      });
      scores.set(best!, bestScore - total);
      return best;
    },
  };
}
