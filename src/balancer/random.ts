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
      // Loops rather than map/reduce: this runs for every request, and arrays are garbage.
      const at = now();
      const first = effectiveWeight(upstreams[0]!, at, slowStart);
      let total = first;
      let uniform = true;
      for (let i = 1; i < n; i++) {
        const w = effectiveWeight(upstreams[i]!, at, slowStart);
        total += w;
        if (w !== first) uniform = false;
      }
      // Equal weights (the usual case) and all-zero weights both mean a uniform draw.
      if (total === 0 || uniform) return upstreams[Math.floor(random() * n)];
      let point = random() * total;
      let last: (typeof upstreams)[number] | undefined;
      for (let i = 0; i < n; i++) {
        const w = effectiveWeight(upstreams[i]!, at, slowStart);
        if (w > 0) last = upstreams[i];
        point -= w;
        if (point < 0) return upstreams[i];
      }
      // Rounding can leave the point a hair past the last weight: that lands on the last
      // backend with a weight.
      return last;
    },
  };
}
