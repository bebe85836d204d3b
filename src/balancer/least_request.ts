// Least request by power of two choices: of two random backends, the one with fewer requests in
// flight per unit of weight. Slow or stuck backends pile up in-flight requests and so get fewer
// new ones, without any latency measurement.
import { powerOfTwo } from "./power_of_two.ts";
import { effectiveWeight, type SlowStartOptions } from "./slow_start.ts";
import type { Strategy } from "./strategy.ts";
import type { Upstream } from "./upstream.ts";

export interface LeastRequestOptions {
  random?: () => number;
  slowStart?: SlowStartOptions;
  now?: () => number;
}

export function leastRequest(
  { random = Math.random, slowStart, now = Date.now }: LeastRequestOptions = {},
): Strategy {
  return {
    name: "least-request",
    pick(upstreams) {
      const at = now();
      return powerOfTwo(
        upstreams,
        (u) => requestCost(u, effectiveWeight(u, at, slowStart)),
        random,
      );
    },
  };
}

/** In-flight load per unit of weight; the +1 makes weight count between idle backends too. */
export function requestCost(upstream: Upstream, weight: number): number {
  return weight > 0 ? (upstream.inflight + 1) / weight : Infinity;
}
