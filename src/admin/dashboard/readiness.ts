// Whether the proxy should get traffic: the answer /ready gives and the dashboard's header shows.
// It lives here so the dashboard and the admin routes (which mount the dashboard) share it
// without importing each other.
import type { Pool } from "../../balancer/pool.ts";

export interface Readiness {
  /** Set on SIGTERM: /ready turns 503 so the endpoint leaves load balancer rotations first. */
  draining: boolean;
}

/** Why the proxy is not ready, or undefined when it is. */
export function notReadyReason(pool: Pool, readiness: Readiness): string | undefined {
  if (readiness.draining) return "draining";
  if (!pool.synced) return "waiting for the first discovery sync";
  if (pool.all().length === 0) return "no backend endpoints discovered";
  return undefined;
}
