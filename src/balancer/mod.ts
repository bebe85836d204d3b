// Selection: which backend takes the next request.
export { Upstream } from "./upstream.ts";
export { Pool, type PoolChange } from "./pool.ts";
export type { PickContext, Strategy } from "./strategy.ts";
export { roundRobin, type RoundRobinOptions } from "./round_robin.ts";

import type { Strategy } from "./strategy.ts";
import { roundRobin } from "./round_robin.ts";

export interface StrategyOptions {
  randomStart?: boolean;
  random?: () => number;
}

/** Builds the strategy a config names. */
export function createStrategy(name: string, options: StrategyOptions = {}): Strategy {
  switch (name) {
    case "round-robin":
      return roundRobin(options);
    default:
      throw new RangeError(`Cannot create strategy "${name}": unknown name`);
  }
}
