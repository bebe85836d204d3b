// Counters the proxy keeps for /info.
export interface ProxyStats {
  readonly startedAt: number;
  /** Requests forwarded to a backend (the proxy's own routes are not counted). */
  totalRequests: number;
}

export function createStats(now: () => number = Date.now): ProxyStats {
  return { startedAt: now(), totalRequests: 0 };
}
