// Round-robin as the seed describes it: a counter that only grows, `upstreams[n % len]` over the
// snapshot the caller holds, so a changing pool needs no lock.
import type { Strategy } from "./strategy.ts";

export interface RoundRobinOptions {
  /** Start at a random offset, so replicas behind one load balancer don't move in lock-step. */
  randomStart?: boolean;
  random?: () => number;
}

export function roundRobin(
  { randomStart = false, random = Math.random }: RoundRobinOptions = {},
): Strategy {
  let counter = randomStart ? Math.floor(random() * 0x7fffffff) : 0;
  return {
    name: "round-robin",
    pick(upstreams) {
      if (upstreams.length === 0) return undefined;
      return upstreams[counter++ % upstreams.length];
    },
  };
}
