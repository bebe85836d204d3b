// The proxy's own routes: /health (liveness), /ready (readiness), /info, /debug/next-backend.
import { Hono } from "hono";
import type { Pool } from "../balancer/pool.ts";
import type { Strategy } from "../balancer/strategy.ts";
import type { ProxyStats } from "../proxy/stats.ts";
import { formatUptime } from "./uptime.ts";

export interface Readiness {
  /** Set on SIGTERM: /ready turns 503 so the endpoint leaves load balancer rotations first. */
  draining: boolean;
}

export interface AdminOptions {
  pool: Pool;
  strategy: Strategy;
  stats: ProxyStats;
  readiness: Readiness;
  now?: () => number;
}

/** Why the proxy is not ready, or undefined when it is. */
export function notReadyReason(pool: Pool, readiness: Readiness): string | undefined {
  if (readiness.draining) return "draining";
  if (!pool.synced) return "waiting for the first discovery sync";
  if (pool.all().length === 0) return "no backend endpoints discovered";
  return undefined;
}

export function adminRoutes(options: AdminOptions): Hono {
  const { pool, strategy, stats, readiness, now = Date.now } = options;
  const app = new Hono();

  app.get(
    "/health",
    (c) => c.json({ status: "healthy", backends_available: pool.routable().length }),
  );

  app.get("/ready", (c) => {
    const reason = notReadyReason(pool, readiness);
    return reason ? c.json({ status: "not ready", reason }, 503) : c.json({ status: "ready" });
  });

  app.get("/info", (c) => {
    const uptimeMs = now() - stats.startedAt;
    return c.json({
      uptime: formatUptime(uptimeMs),
      uptime_seconds: Math.floor(uptimeMs / 1000),
      backends: pool.all().map((u) => ({
        address: u.address,
        requests_forwarded: u.requestsForwarded,
        inflight: u.inflight,
        state: u.terminating ? "terminating" : "up",
      })),
      total_requests: stats.totalRequests,
    });
  });

  app.get("/debug/next-backend", (c) => {
    const selected = strategy.pick(pool.routable());
    return selected
      ? c.json({ selected: selected.address })
      : c.json({ error: "no backend available", status: 503 }, 503);
  });

  return app;
}
