// A backend's latency as a peak-EWMA (Finagle's and Linkerd's): the estimate jumps up to any
// slower response at once, otherwise moves towards new samples, and decays towards 0 with time
// constant `decayMs`, so a backend that was slow and stopped getting traffic is tried again once
// its estimate has relaxed. The numbers live on the Upstream; this holds the clock and the decay,
// so the request path (observe) and the ewma strategy (estimate) cannot disagree on them.
import type { Upstream } from "./upstream.ts";

export const DEFAULT_EWMA_DECAY_MS = 10_000;

export interface PeakEwma {
  readonly decayMs: number;
  /** Records how long a backend took to answer (to response headers). */
  observe(upstream: Upstream, latencyMs: number): void;
  /** The estimate at `at` (now by default); undefined before the backend's first sample. */
  estimate(upstream: Upstream, at?: number): number | undefined;
}

export interface PeakEwmaOptions {
  decayMs?: number;
  /** The balancer's clock in ms. */
  now?: () => number;
}

export function peakEwma(
  { decayMs = DEFAULT_EWMA_DECAY_MS, now = Date.now }: PeakEwmaOptions = {},
): PeakEwma {
  if (!(decayMs > 0)) {
    throw new RangeError(`Cannot track latency: decayMs must be > 0, got ${decayMs}`);
  }
  const keep = (upstream: Upstream, at: number) =>
    Math.exp(-Math.max(0, at - upstream.latencyAt) / decayMs);
  return {
    decayMs,
    observe(upstream, latencyMs) {
      const at = now();
      const sample = Math.max(0, latencyMs);
      const prior = upstream.latencyMs;
      if (prior === undefined) {
        upstream.latencyMs = sample;
      } else {
        const k = keep(upstream, at);
        upstream.latencyMs = sample > prior * k ? sample : prior * k + sample * (1 - k);
      }
      upstream.latencyAt = at;
    },
    estimate(upstream, at = now()) {
      const value = upstream.latencyMs;
      return value === undefined ? undefined : value * keep(upstream, at);
    },
  };
}
