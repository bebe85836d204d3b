// One backend as the balancer sees it: its address and the state that follows it across
// discovery snapshots (counters, in-flight requests, passive health, latency, age).
// Times are milliseconds on the balancer's clock (`Date.now` unless a test injects one).

export interface UpstreamOptions {
  terminating?: boolean;
  weight?: number;
  /** When it joined a pool already serving; undefined for the first snapshot's backends, which
   * get no slow start. */
  addedAt?: number | undefined;
}

export class Upstream {
  readonly address: string;
  /** `http://ip:port`, the prefix of every URL forwarded to it. */
  readonly origin: string;
  requestsForwarded = 0;
  inflight = 0;
  terminating: boolean;
  weight: number;
  addedAt: number | undefined;

  /** Passive health (outlier.ts): no new requests before this time. */
  ejectedUntil = 0;
  timesEjected = 0;
  consecutiveConnectErrors = 0;
  /** 5xx responses and timeouts waiting for one. */
  consecutiveServerErrors = 0;

  /** Peak-EWMA latency (peak_ewma.ts) as of `latencyAt`; undefined until the first sample. */
  latencyMs: number | undefined = undefined;
  latencyAt = 0;

  constructor(address: string, { terminating = false, weight = 1, addedAt }: UpstreamOptions = {}) {
    this.address = address;
    this.origin = `http://${address}`;
    this.terminating = terminating;
    this.weight = weight;
    this.addedAt = addedAt;
  }

  /** Whether passive health checking has taken it out of rotation at `now`. */
  isEjected(now: number): boolean {
    return this.ejectedUntil > now;
  }

  /** Whether it can take a new request now: not terminating and not ejected. */
  available(now: number = Date.now()): boolean {
    return !this.terminating && this.ejectedUntil <= now;
  }
}

/** A backend's state as /info and /debug/routes name it (an ejected terminating one is terminating). */
export function upstreamState(u: Upstream, at: number): "terminating" | "ejected" | "up" {
  if (u.terminating) return "terminating";
  return u.isEjected(at) ? "ejected" : "up";
}
