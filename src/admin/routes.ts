// The proxy's own routes: /health (liveness), /ready (readiness), /info, /metrics,
// /debug/next-backend, and the live dashboard (/dashboard, its /events stream, and / on an admin
// port of its own).
import { Hono } from "hono";
import type { Dashboard } from "./dashboard/dashboard.ts";
import { dashboardPage } from "./dashboard/page.ts";
import { notReadyReason, type Readiness } from "./dashboard/readiness.ts";
import type { OutlierDetector } from "../balancer/outlier.ts";
import type { PeakEwma } from "../balancer/peak_ewma.ts";
import type { Pool } from "../balancer/pool.ts";
import { upstreamState } from "../balancer/upstream.ts";
import { PROMETHEUS_CONTENT_TYPE, type ProxyMetrics } from "../metrics/mod.ts";
import type { Strategy } from "../balancer/strategy.ts";
import type { ProxyStats } from "../proxy/stats.ts";
import { formatUptime } from "./uptime.ts";
import { isPlainHost } from "../routes/request_target.ts";
import type { RoutingView } from "../proxy/routing_view.ts";

/** The paths the admin app answers (GET and HEAD); the front door checks these first. */
export const ADMIN_PATHS: ReadonlySet<string> = new Set([
  "/health",
  "/ready",
  "/info",
  "/metrics",
  "/debug/next-backend",
  "/debug/routes",
  "/dashboard",
  "/events",
]);

export { notReadyReason, type Readiness } from "./dashboard/readiness.ts";

/** What /debug/next-backend answers with routes: the route and the backend, or why none. */
export type NextBackend =
  | { route: string; selected: string }
  | { route: string; status: number; error: string; location?: string };

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
  /** The live dashboard: /dashboard and /events answer only with one. */
  dashboard?: Dashboard | undefined;
  /** The app runs on an admin port of its own, where `/` is the dashboard too. */
  dashboardAtRoot?: boolean;
  /** The route table and its backend groups: /debug/routes, and with `routed`, /info and /ready. */
  routing?: RoutingView | undefined;
  /** The config has routes: health, readiness and /info read every group, not `pool` alone. */
  routed?: boolean;
  /**
   * With routes: the backend a request like `probe` would be sent to now, through its route
   * (/debug/next-backend). Without, the single pool answers.
   */
  nextBackend?: ((probe: Request) => NextBackend) | undefined;
}

export function adminRoutes(options: AdminOptions): Hono {
  const {
    pool,
    strategy,
    stats,
    readiness,
    outlier,
    latency,
    metrics,
    now = Date.now,
    dashboard,
    dashboardAtRoot = false,
    routing,
    routed = false,
    nextBackend,
  } = options;
  const groups = () => routed && routing ? routing.groups() : undefined;
  // Backends that can take traffic now: discovered, routable and not ejected.
  const available = (at: number) => {
    const all = groups();
    if (!all) return pool.routable().filter((u) => !u.isEjected(at)).length;
    let n = 0;
    for (const g of all) n += g.pool.routable().filter((u) => !u.isEjected(at)).length;
    return n;
  };
  const app = new Hono();

  app.get(
    "/health",
    (c) => c.json({ status: "healthy", backends_available: available(now()) }),
  );

  app.get("/ready", (c) => {
    const reason = routed && routing
      ? (readiness.draining ? "draining" : routing.notReady())
      : notReadyReason(pool, readiness);
    return reason ? c.json({ status: "not ready", reason }, 503) : c.json({ status: "ready" });
  });

  app.get("/info", (c) => {
    const at = now();
    const uptimeMs = at - stats.startedAt;
    return c.json({
      uptime: formatUptime(uptimeMs),
      uptime_seconds: Math.floor(uptimeMs / 1000),
      backends: (groups() ?? [{ name: undefined, pool, latency }]).flatMap((g) =>
        g.pool.all().map((u) => {
          const ewma = (g.latency ?? latency)?.estimate(u, at);
          return {
            ...(g.name !== undefined ? { group: g.name } : {}),
            address: u.address,
            requests_forwarded: u.requestsForwarded,
            state: upstreamState(u, at),
            inflight: u.inflight,
            ...(u.isEjected(at) ? { ejected_until: new Date(u.ejectedUntil).toISOString() } : {}),
            times_ejected: u.timesEjected,
            ...(ewma !== undefined ? { ewma_ms: Math.round(ewma * 100) / 100 } : {}),
          };
        })
      ),
      ...(routed && routing ? { routes: routing.info() } : {}),
      total_requests: stats.totalRequests,
    });
  });

  app.get("/debug/next-backend", (c) => {
    if (nextBackend) {
      // `?host=&path=&method=` describe the request to route; each defaults to this request's
      // own Host, `/` and GET.
      const host = c.req.query("host") ?? c.req.header("host") ?? "";
      const path = c.req.query("path") ?? "/";
      const method = (c.req.query("method") ?? "GET").toUpperCase();
      const problem = !path.startsWith("/")
        ? `path must start with "/", got ${JSON.stringify(path)}`
        : !/^[A-Z]{1,20}$/.test(method)
        ? `method must be a token of letters, got ${JSON.stringify(method)}`
        : host !== "" && !isPlainHost(host)
        ? `host must be host[:port], got ${JSON.stringify(host)}`
        : undefined;
      if (problem) return c.json({ error: "bad request", status: 400, reason: problem }, 400);
      const probe = new Request(`http://${host || "_"}${path}`, { method, headers: { host } });
      const answer = nextBackend(probe);
      // A redirect's answer is reported, not given: 200 with its status and Location.
      if ("selected" in answer || answer.status < 400) return c.json(answer);
      return c.json(answer, answer.status as 400 | 404 | 500 | 503);
    }
    const selected = strategy.pick(outlier.usable(pool.routable()));
    return selected
      ? c.json({ selected: selected.address })
      : c.json({ error: "no backend available", status: 503 }, 503);
  });

  if (routing) app.get("/debug/routes", (c) => c.json(routing.debug()));

  if (metrics) {
    app.get(
      "/metrics",
      () =>
        new Response(metrics.render(), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } }),
    );
  }

  if (dashboard) {
    app.get("/dashboard", () => dashboardPage());
    if (dashboardAtRoot) app.get("/", () => dashboardPage());
    app.get("/events", (c) => dashboard.connect(c.req.raw.signal));
  }

  return app;
}
