// Peak-EWMA balancing, as Linkerd does it: cost = latency estimate × (in-flight + 1) / weight,
// compared over two random backends. Slow backends and backends piling up requests both lose.
import { type PeakEwma, peakEwma } from "./peak_ewma.ts";
import { powerOfTwo } from "./power_of_two.ts";
import { effectiveWeight, type SlowStartOptions } from "./slow_start.ts";
import type { Strategy } from "./strategy.ts";
import type { Upstream } from "./upstream.ts";

/** Keeps in-flight requests counting against a backend whose estimate decayed to nothing. */
const FLOOR_MS = 0.001;

export interface EwmaOptions {
  /** The latency tracker the request path feeds; one with default decay if not given. */
  latency?: PeakEwma;
  random?: () => number;
  slowStart?: SlowStartOptions;
  now?: () => number;
}

export function ewma(
  { latency = peakEwma(), random = Math.random, slowStart, now = Date.now }: EwmaOptions = {},
): Strategy {
  return {
    name: "ewma",
    pick(upstreams) {
      const at = now();
      let neutral: number | undefined;
      const cost = (u: Upstream) => {
        const weight = effectiveWeight(u, at, slowStart);
        if (weight === 0) return Infinity;
        // A backend without samples looks like a typical peer: 0 would flood it, a fixed guess
        // could starve it (nothing would ever measure it).
        const estimate = latency.estimate(u, at) ??
          (neutral ??= neutralLatency(upstreams, latency, at));
        return Math.max(estimate, FLOOR_MS) * (u.inflight + 1) / weight;
      };
      return powerOfTwo(upstreams, cost, random);
    },
  };
}

/** The median estimate among backends with samples (1 ms when none has any: all tie then). */
function neutralLatency(upstreams: readonly Upstream[], latency: PeakEwma, at: number): number {
  const estimates: number[] = [];
  for (const u of upstreams) {
    const estimate = latency.estimate(u, at);
    if (estimate !== undefined) estimates.push(estimate);
  }
  if (estimates.length === 0) return 1;
  estimates.sort((a, b) => a - b);
  const mid = estimates.length >> 1;
  return estimates.length % 2 ? estimates[mid]! : (estimates[mid - 1]! + estimates[mid]!) / 2;
}
