// Random choice, weighted by each backend's weight (times slow start). Stateless, so proxies
// behind one load balancer never move in lock-step.
import { effectiveWeight, type SlowStartOptions } from "./slow_start.ts";
import type { Strategy } from "./strategy.ts";

export interface RandomOptions {
  random?: () => number;
  slowStart?: SlowStartOptions;
  now?: () => number;
}

export function randomChoice(
  { random = Math.random, slowStart, now = Date.now }: RandomOptions = {},
): Strategy {
  return {
    name: "random",
    pick(upstreams) {
      const n = upstreams.length;
      if (n <= 1) return upstreams[0];
      const at = now();
      const weights = upstreams.map((u) => effectiveWeight(u, at, slowStart));
      const total = weights.reduce((sum, w) => sum + w, 0);
      // Equal weights (the usual case) and all-zero weights both mean a uniform draw.
      if (total === 0 || weights.every((w) => w === weights[0])) {
        return upstreams[Math.floor(random() * n)];
      }
      let point = random() * total;
      for (let i = 0; i < n; i++) {
        point -= weights[i]!;
        if (point < 0) return upstreams[i];
      }
      // Rounding can leave the point a hair past the last weight: that lands on the last
      // backend with a weight.
      return upstreams[weights.findLastIndex((w) => w > 0)];
    },
  };
}
