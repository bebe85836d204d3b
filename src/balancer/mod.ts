// Selection: which backend takes the next request, and the passive health and retry rules
// around it.
export { Upstream, type UpstreamOptions } from "./upstream.ts";
export { Pool, type PoolChange, type PoolOptions } from "./pool.ts";
export type { PickContext, Strategy } from "./strategy.ts";
export { roundRobin, type RoundRobinOptions } from "./round_robin.ts";
export { weightedRoundRobin, type WeightedRoundRobinOptions } from "./weighted_round_robin.ts";
export { leastRequest, type LeastRequestOptions } from "./least_request.ts";
export { ewma, type EwmaOptions } from "./ewma.ts";
export {
  DEFAULT_EWMA_DECAY_MS,
  type PeakEwma,
  peakEwma,
  type PeakEwmaOptions,
} from "./peak_ewma.ts";
export { randomChoice, type RandomOptions } from "./random.ts";
export { consistentHash, type ConsistentHashOptions } from "./consistent_hash.ts";
export { hashKey, type HashKeySource, parseHashKey } from "./hash_key.ts";
export { effectiveWeight, slowStartFactor, type SlowStartOptions } from "./slow_start.ts";
export {
  type Ejection,
  type FailureKind,
  type OutlierDetector,
  outlierDetector,
  type OutlierOptions,
} from "./outlier.ts";
export { RetryBudget, type RetryBudgetOptions } from "./retry_budget.ts";
export { type AttemptContext, IDEMPOTENT_METHODS, isRetryable } from "./retryable.ts";

import { consistentHash } from "./consistent_hash.ts";
import { ewma } from "./ewma.ts";
import type { HashKeySource } from "./hash_key.ts";
import { leastRequest } from "./least_request.ts";
import { type PeakEwma, peakEwma } from "./peak_ewma.ts";
import { randomChoice } from "./random.ts";
import { roundRobin } from "./round_robin.ts";
import type { Strategy } from "./strategy.ts";
import { weightedRoundRobin } from "./weighted_round_robin.ts";

export interface StrategyOptions {
  /** round-robin: start the counter at a random offset. */
  randomStart?: boolean;
  random?: () => number;
  /** The balancer's clock in ms (slow start, EWMA decay). */
  now?: () => number;
  /** consistent-hash: where the key comes from (client IP by default). */
  hashKey?: HashKeySource;
  virtualNodes?: number;
  /** ewma: the tracker the request path feeds with `observe`; else one with `ewmaDecayMs`. */
  latency?: PeakEwma;
  ewmaDecayMs?: number;
  /** weighted-round-robin, least-request, ewma, random: ramp window for new backends; 0 = off. */
  slowStartMs?: number;
  slowStartMinPercent?: number;
}

/** Builds the strategy a config names. */
export function createStrategy(name: string, options: StrategyOptions = {}): Strategy {
  const { random = Math.random, now = Date.now } = options;
  const slowStart = { windowMs: options.slowStartMs ?? 0, minPercent: options.slowStartMinPercent };
  switch (name) {
    case "round-robin":
      return roundRobin({ randomStart: options.randomStart ?? false, random });
    case "weighted-round-robin":
      return weightedRoundRobin({ slowStart, now });
    case "least-request":
      return leastRequest({ random, slowStart, now });
    case "ewma":
      return ewma({
        latency: options.latency ?? peakEwma({ decayMs: options.ewmaDecayMs, now }),
        random,
        slowStart,
        now,
      });
    case "random":
      return randomChoice({ random, slowStart, now });
    case "consistent-hash":
      return consistentHash({ key: options.hashKey, virtualNodes: options.virtualNodes, random });
    default:
      throw new RangeError(`Cannot create strategy "${name}": unknown name`);
  }
}
