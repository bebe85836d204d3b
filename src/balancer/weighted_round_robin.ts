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
  // Scores are selection state, not health, so they live here, in a Map (cheaper per lookup than
  // a WeakMap) that forgets removed backends once it holds twice as many as the pool.
  const scores = new Map<Upstream, number>();
  // Reused on every pick: this runs for every request, and per-pick arrays are garbage.
  const weights: number[] = [];
  return {
    name: "weighted-round-robin",
    pick(upstreams) {
      const n = upstreams.length;
      if (n <= 1) return upstreams[0];
      if (scores.size > 2 * n + 8) {
        const current = new Set(upstreams);
        for (const u of scores.keys()) if (!current.has(u)) scores.delete(u);
      }
      const at = now();
      let total = 0;
      for (let i = 0; i < n; i++) {
        total += weights[i] = effectiveWeight(upstreams[i]!, at, slowStart);
      }
      // All weights 0 (every backend drained by its weight): share equally rather than fail.
      if (total === 0) {
        weights.fill(1, 0, n);
        total = n;
      }
      let best: Upstream | undefined;
      let bestScore = -Infinity;
      for (let i = 0; i < n; i++) {
        const upstream = upstreams[i]!;
        const score = (scores.get(upstream) ?? 0) + weights[i]!;
        scores.set(upstream, score);
        if (weights[i]! > 0 && score > bestScore) {
          best = upstream;
          bestScore = score;
        }
      }
      scores.set(best!, bestScore - total);
      return best;
    },
  };
}
