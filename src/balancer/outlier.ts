// Passive health (Envoy's outlier detection): a backend that fails N times in a row is ejected
// for baseEjectionMs × the times it has been ejected, capped. A panic floor keeps at most a share
// of the pool out, and a pool with every backend out uses them all rather than none. The state
// lives on each Upstream; this holds the rules and the clock.
import type { Upstream } from "./upstream.ts";

/** `connect`: no connection (nothing was sent). `timeout` counts with `5xx`: the backend took
 * the request and gave no good answer. */
export type FailureKind = "connect" | "timeout" | "5xx";

export interface OutlierOptions {
  /** Consecutive connect errors that eject a backend; 0 turns this check off. */
  consecutiveConnectErrors?: number;
  /** Consecutive 5xx responses or timeouts that eject a backend; 0 turns this check off. */
  consecutiveServerErrors?: number;
  baseEjectionMs?: number;
  maxEjectionMs?: number;
  /** The most of the pool that may be out at once; at least one backend may always go. */
  maxEjectedPercent?: number;
  now?: () => number;
}

/** What a failure that reached a threshold led to. */
export interface Ejection {
  /** False when the panic floor kept the backend in: too much of the pool is out already. */
  ejected: boolean;
  reason: "connect" | "5xx";
  /** When it takes traffic again (0 when not ejected). */
  until: number;
  durationMs: number;
  timesEjected: number;
}

export interface OutlierDetector {
  /** A response below 500: the backend is fine, its failure streaks end. */
  onSuccess(upstream: Upstream): void;
  /** Counts a failure; returns what happened when a threshold was reached. */
  onFailure(upstream: Upstream, kind: FailureKind): Ejection | undefined;
  /** onFailure for a 5xx status, onSuccess otherwise. */
  onResponse(upstream: Upstream, status: number): Ejection | undefined;
  /** The backends that are not ejected, or all of them when every one is. Returns the same
   * array while nothing is ejected, so the common case allocates nothing. */
  usable(upstreams: readonly Upstream[]): readonly Upstream[];
}

/** @param peers the pool the panic floor is a share of (e.g. `() => pool.routable()`). */
export function outlierDetector(
  peers: () => readonly Upstream[],
  {
    consecutiveConnectErrors = 5,
    consecutiveServerErrors = 5,
    baseEjectionMs = 30_000,
    maxEjectionMs = 300_000,
    maxEjectedPercent = 50,
    now = Date.now,
  }: OutlierOptions = {},
): OutlierDetector {
  // usable() remembers its last answer until an ejection happens or one ends.
  let epoch = 0;
  let cache: {
    input: readonly Upstream[];
    output: readonly Upstream[];
    epoch: number;
    validUntil: number;
  } | undefined;

  const tripped = (u: Upstream): "connect" | "5xx" | undefined => {
    if (consecutiveConnectErrors > 0 && u.consecutiveConnectErrors >= consecutiveConnectErrors) {
      return "connect";
    }
    if (consecutiveServerErrors > 0 && u.consecutiveServerErrors >= consecutiveServerErrors) {
      return "5xx";
    }
    return undefined;
  };

  const mayEject = (u: Upstream, at: number): boolean => {
    if (maxEjectedPercent <= 0) return false;
    const pool = peers();
    let out = 0;
    for (const p of pool) if (p !== u && p.isEjected(at)) out++;
    const allowed = Math.max(1, Math.floor((pool.length * maxEjectedPercent) / 100));
    return out + 1 <= allowed;
  };

  const detector: OutlierDetector = {
    onSuccess(u) {
      u.consecutiveConnectErrors = 0;
      u.consecutiveServerErrors = 0;
    },

    onFailure(u, kind) {
      const at = now();
      // Requests sent before the ejection still fail afterwards: they say nothing new.
      if (u.isEjected(at)) return undefined;
      if (kind === "connect") {
        u.consecutiveConnectErrors++;
      } else {
        u.consecutiveServerErrors++;
        u.consecutiveConnectErrors = 0; // it did accept the connection
      }
      const reason = tripped(u);
      if (!reason) return undefined;
      if (!mayEject(u, at)) {
        // The streak stays counted: the next failure tries again, e.g. once another is back.
        return { ejected: false, reason, until: 0, durationMs: 0, timesEjected: u.timesEjected };
      }
      // Time spent healthy since the last ejection forgives one ejection per baseEjectionMs,
      // as Envoy lowers its multiplier while a host stays in.
      if (u.timesEjected > 0 && baseEjectionMs > 0) {
        const forgiven = Math.floor(Math.max(0, at - u.ejectedUntil) / baseEjectionMs);
        u.timesEjected = Math.max(0, u.timesEjected - forgiven);
      }
      u.timesEjected++;
      const durationMs = Math.min(baseEjectionMs * u.timesEjected, maxEjectionMs);
      u.ejectedUntil = at + durationMs;
      u.consecutiveConnectErrors = 0;
      u.consecutiveServerErrors = 0;
      epoch++;
      return {
        ejected: true,
        reason,
        until: u.ejectedUntil,
        durationMs,
        timesEjected: u.timesEjected,
      };
    },

    onResponse(u, status) {
      if (status >= 500) return detector.onFailure(u, "5xx");
      detector.onSuccess(u);
      return undefined;
    },

    usable(upstreams) {
      const at = now();
      if (cache && cache.input === upstreams && cache.epoch === epoch && at < cache.validUntil) {
        return cache.output;
      }
      let kept: Upstream[] | undefined;
      let validUntil = Infinity;
      upstreams.forEach((u, i) => {
        if (u.isEjected(at)) {
          kept ??= upstreams.slice(0, i);
          validUntil = Math.min(validUntil, u.ejectedUntil);
        } else {
          kept?.push(u);
        }
      });
      const output = kept === undefined || kept.length === 0 ? upstreams : kept;
      cache = { input: upstreams, output, epoch, validUntil };
      return output;
    },
  };
  return detector;
}
