// Slow start: a backend that joins a pool already serving ramps its share of traffic up over a
// window, so a cold process (empty caches, JIT not warm) is not handed a full share at once.
// It works as a multiplier on the backend's weight, for the strategies that honour weights.
import type { Upstream } from "./upstream.ts";

export interface SlowStartOptions {
  /** How long the ramp lasts; 0 turns slow start off. */
  windowMs?: number;
  /** The share of its weight a backend gets the moment it joins (Envoy's min_weight_percent). */
  minPercent?: number;
}

/** The fraction (0, 1] of its weight a backend gets at `now`: linear from minPercent to 1. */
export function slowStartFactor(
  upstream: Upstream,
  now: number,
  { windowMs = 0, minPercent = 10 }: SlowStartOptions = {},
): number {
  if (windowMs <= 0 || upstream.addedAt === undefined) return 1;
  const elapsed = now - upstream.addedAt;
  if (elapsed >= windowMs) return 1;
  return Math.max(elapsed / windowMs, minPercent / 100);
}

/** The weight a strategy should use now: the configured weight (never negative) × slow start. */
export function effectiveWeight(
  upstream: Upstream,
  now: number,
  slowStart?: SlowStartOptions,
): number {
  const weight = upstream.weight > 0 ? upstream.weight : 0;
  return weight === 0 ? 0 : weight * slowStartFactor(upstream, now, slowStart);
}
