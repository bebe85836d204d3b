// One set of backends with its own selection state: the pool discovery fills, the strategy that
// picks from it, passive health and the latency tracker. A single-service proxy has one; a
// proxy with routes has one per backendRef of each rule, so routes never share counters.
import type { OutlierDetector } from "./outlier.ts";
import { outlierDetector, type OutlierOptions } from "./outlier.ts";
import { type PeakEwma, peakEwma } from "./peak_ewma.ts";
import { Pool } from "./pool.ts";
import type { Strategy } from "./strategy.ts";
import { createStrategy, type StrategyOptions } from "./mod.ts";

export interface BackendGroup {
  /** What /info, /debug/routes and logs call it: `route` or `route/rule/ref`. */
  readonly name: string;
  readonly route: string;
  readonly pool: Pool;
  readonly strategy: Strategy;
  readonly outlier: OutlierDetector;
  readonly latency: PeakEwma;
}

export interface BackendGroupOptions {
  name: string;
  route: string;
  strategy: string;
  strategyOptions: Omit<StrategyOptions, "latency" | "now" | "random">;
  outlier: Omit<OutlierOptions, "now">;
  ewmaDecayMs: number;
  now?: () => number;
  random?: () => number;
}

export function createBackendGroup(options: BackendGroupOptions): BackendGroup {
  const { now = Date.now, random = Math.random } = options;
  const pool = new Pool({ now });
  const latency = peakEwma({ decayMs: options.ewmaDecayMs, now });
  const strategy = createStrategy(options.strategy, {
    ...options.strategyOptions,
    random,
    now,
    latency,
  });
  const outlier = outlierDetector(() => pool.routable(), { ...options.outlier, now });
  return { name: options.name, route: options.route, pool, strategy, outlier, latency };
}
