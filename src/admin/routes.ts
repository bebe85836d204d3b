// The proxy's own routes: /health (liveness), /ready (readiness), /info, /debug/next-backend.
import { Hono } from "hono";
import type { OutlierDetector } from "../balancer/outlier.ts";
import type { PeakEwma } from "../balancer/peak_ewma.ts";
import type { Pool } from "../balancer/pool.ts";
import type { Upstream } from "../balancer/upstream.ts";
import { PROMETHEUS_CONTENT_TYPE, type ProxyMetrics } from "../metrics/mod.ts";
import type { Strategy } from "../balancer/strategy.ts";
import type { ProxyStats } from "../proxy/stats.ts";
import { formatUptime } from "./uptime.ts";

/** The paths the admin app answers (GET and HEAD); the front door checks these first. */
export const ADMIN_PATHS: ReadonlySet<string> = new Set([
  "/health",
  "/ready",
  "/info",
  "/metrics",
  "/debug/next-backend",
]);

export interface Readiness {
  /** Set on SIGTERM: /ready turns 503 so the endpoint leaves load balancer rotations first. */
  draining: boolean;
}

export interface AdminOptions {
  pool: Pool;
  strategy: Strategy;
  stats: ProxyStats;
  readiness: Readiness;
  outlier: OutlierDetector;
  latency?: PeakEwma | undefined;
  metrics?: ProxyMetrics | undefined;
  /** Wall clock in ms (the balancer's). */
  now?: () => number;
}

function state(u: Upstream, at: number): string {
  if (u.terminating) return "terminating";
  return u.isEjected(at) ? "ejected" : "up";
}

/** Why the proxy is not ready, or undefined when it is. */
export function notReadyReason(pool: Pool, readiness: Readiness): string | undefined {
  if (readiness.draining) return "draining";
  if (!pool.synced) return "waiting for the first discovery sync";
  if (pool.all().length === 0) return "no backend endpoints discovered";
  return undefined;
}

export function adminRoutes(options: AdminOptions): Hono {
  const { pool, strategy, stats, readiness, outlier, latency, metrics, now = Date.now } = options;
  // Backends that can take traffic now: discovered, routable and not ejected.
  const available = (at: number) => pool.routable().filter((u) => !u.isEjected(at)).length;
  const app = new Hono();

  app.get(
    "/health",
    (c) => c.json({ status: "healthy", backends_available: available(now()) }),
  );

  app.get("/ready", (c) => {
    const reason = notReadyReason(pool, readiness);
    return reason ? c.json({ status: "not ready", reason }, 503) : c.json({ status: "ready" });
  });

  app.get("/info", (c) => {
    const at = now();
    const uptimeMs = at - stats.startedAt;
    return c.json({
      uptime: formatUptime(uptimeMs),
      uptime_seconds: Math.floor(uptimeMs / 1000),
      backends: pool.all().map((u) => {
        const ewma = latency?.estimate(u, at);
        return {
          address: u.address,
          requests_forwarded: u.requestsForwarded,
          state: state(u, at),
          inflight: u.inflight,
          ...(u.isEjected(at) ? { ejected_until: new Date(u.ejectedUntil).toISOString() } : {}),
          times_ejected: u.timesEjected,
          ...(ewma !== undefined ? { ewma_ms: Math.round(ewma * 100) / 100 } : {}),
        };
      }),
      total_requests: stats.totalRequests,
    });
  });

  app.get("/debug/next-backend", (c) => {
    const selected = strategy.pick(outlier.usable(pool.routable()));
    return selected
      ? c.json({ selected: selected.address })
      : c.json({ error: "no backend available", status: 503 }, 503);
  });

  if (metrics) {
    app.get(
      "/metrics",
      () =>
        new Response(metrics.render(), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } }),
    );
  }

  return app;
}
