// Wires a running proxy from its config: routes (the file's, HTTPRoutes, or the one implicit
// route) → a backend group per backendRef (discovery → pool → strategy) → transport → front door
// (Hono for admin routes) → runtime.serve. `drain()` is the shutdown order: readiness false →
// stop discovery → drain the listener → hard deadline.
import { clientBodyTimer } from "../runtime/client_body_timer.ts";
import { adminRoutes, type NextBackend, type Readiness } from "../admin/routes.ts";
import { createDashboard, type Dashboard, routesFromGroups } from "../admin/dashboard/mod.ts";
import { routingView } from "./routing_view.ts";
import { type BackendGroup, createBackendGroup } from "../balancer/backend_group.ts";
import { Pool, RetryBudget, type Strategy, type Upstream } from "../balancer/mod.ts";
import type { ProxyConfig } from "../config/mod.ts";
import type { Discovery, Endpoint } from "../discovery/mod.ts";
import type { RouteSource } from "../discovery/from_config.ts";
import type { ServiceWatches } from "../discovery/service_watches.ts";
import { MATCH_EVERYTHING, type RouteSpec } from "../routes/types.ts";
import { type Resolution, resolve } from "./route_resolution.ts";
import { type GroupSource, RoutingState } from "./routing_state.ts";
import type { Logger } from "../log.ts";
import type { RunningServer, Runtime } from "../runtime/mod.ts";
import { type FrontDoor, frontDoor } from "./app.ts";
import { createProxyHandler } from "./handler.ts";
import { bridgeWebSocket } from "./websocket.ts";
import { createProxyMetrics, type ProxyMetrics } from "../metrics/mod.ts";
import { VERSION } from "../version.ts";
import { createStats, type ProxyStats } from "./stats.ts";
import { createTransport } from "./transport.ts";
import { http1ResponseHeaders } from "./forward_http1.ts";
import { fetchTraits } from "../runtime/fetch_traits.ts";
import { createHttp1Client } from "../http1/client.ts";
import { delay, within } from "../timing.ts";

export interface ProxyParts {
  config: ProxyConfig;
  runtime: Runtime;
  logger: Logger;
  /** The implicit route's discovery: a config without routes needs it. */
  discovery?: Discovery | undefined;
  /** The EndpointSlice watches of Service backendRefs (routes in Kubernetes). */
  services?: ServiceWatches | undefined;
  /** HTTPRoutes (`routesFrom: gateway`). */
  routeSource?: RouteSource | undefined;
  /** The namespace of a Service backendRef that names none. */
  namespace?: string | undefined;
  random?: () => number;
  /** The balancer's wall clock in ms (ejection, slow start, latency decay). */
  now?: () => number;
  /** Metrics for /metrics; one is made when not given. */
  metrics?: ProxyMetrics;
}

export interface RunningProxy {
  readonly port: number;
  /** The admin port when admin routes have one of their own. */
  readonly adminPort: number | undefined;
  /** The first backend group's pool and strategy (the only ones of a single-service config). */
  readonly pool: Pool;
  readonly strategy: Strategy;
  /** The routes and their backend groups, as requests see them now. */
  readonly routing: RoutingState;
  readonly stats: ProxyStats;
  readonly readiness: Readiness;
  readonly metrics: ProxyMetrics;
  /** The live dashboard behind /dashboard and /events. */
  readonly dashboard: Dashboard;
  /** Everything the main port serves, as one function (tests call it without a socket). */
  readonly fetch: FrontDoor;
  /** Graceful stop; resolves true when in-flight requests finished before the deadline. */
  drain(): Promise<boolean>;
}

export async function startProxy(parts: ProxyParts): Promise<RunningProxy> {
  const { config, runtime, discovery, random = Math.random, now = Date.now } = parts;
  // Set once the dashboard exists: it tees the log lines that are its events.
  let logger: Logger = parts.logger;
  const routed = config.routes !== undefined || config.routesFrom === "gateway";
  const applySnapshot = (group: BackendGroup, endpoints: readonly Endpoint[], kind: string) => {
    const change = group.pool.update(endpoints);
    const where = routed ? { group: group.name } : {};
    for (const backend of change.added) {
      logger.info("backend_added", { backend, discovery: kind, ...where });
    }
    for (const backend of change.removed) {
      logger.info("backend_removed", { backend, discovery: kind, ...where });
    }
    logger.info("backends_changed", {
      ...where,
      total: group.pool.all().length,
      routable: group.pool.routable().length,
      added: change.added.length,
      removed: change.removed.length,
    });
  };
  // Groups made before the dashboard exists start feeding their pools once it does, so their
  // first backends are its first events.
  const pending: Array<() => void> = [];
  let feeding = false;
  const whenFeeding = (start: () => void) => feeding ? start() : void pending.push(start);
  const connect = (source: GroupSource, group: BackendGroup): () => void => {
    switch (source.kind) {
      case "discovery":
        if (!discovery) throw new TypeError("Cannot start the implicit route: no discovery given");
        whenFeeding(() =>
          discovery.start((endpoints) => applySnapshot(group, endpoints, discovery.kind))
        );
        return () => {};
      case "static":
        whenFeeding(() =>
          applySnapshot(group, source.addresses.map((address) => ({ address })), "static")
        );
        return () => {};
      case "service": {
        const services = parts.services;
        const namespace = source.namespace ?? parts.namespace ?? "default";
        if (!services) {
          logger.error("service_backend_unwatched", {
            group: group.name,
            detail: "no Kubernetes connection: the group stays empty",
          });
          return () => {};
        }
        let unsubscribe: (() => void) | undefined;
        let released = false;
        whenFeeding(() => {
          if (released) return;
          unsubscribe = services.subscribe(
            { namespace, name: source.name },
            source.port,
            (endpoints) => applySnapshot(group, endpoints, "kubernetes"),
          );
        });
        return () => {
          released = true;
          unsubscribe?.();
        };
      }
    }
  };
  const routing = new RoutingState({
    logger,
    connect,
    createGroup: (name, route) =>
      createBackendGroup({
        name,
        route: route.name,
        strategy: route.strategy ?? config.strategy,
        strategyOptions: { ...config.balancer, randomStart: config.randomStart },
        outlier: config.outlier,
        ewmaDecayMs: config.balancer.ewmaDecayMs,
        now,
        random,
      }),
  });
  routing.update(config.routes ?? (config.routesFrom === "gateway" ? [] : [IMPLICIT_ROUTE]));
  const allUpstreams = (): readonly Upstream[] => {
    const groups = routing.groups();
    return groups.length === 1 ? groups[0]!.pool.all() : groups.flatMap((g) => g.pool.all());
  };
  const metrics = parts.metrics ?? createProxyMetrics({
    pool: { all: allUpstreams },
    now,
    runtimeName: runtime.name,
    version: VERSION,
    process: { memoryRss: runtime.memoryRss },
  });
  // Admin's single-pool views read the first group until they learn routes (a placeholder
  // group when HTTPRoutes have not arrived yet).
  const first = routing.groups()[0] ?? routing.placeholder();
  const { pool, strategy, outlier, latency } = first;
  const stats = createStats();
  const readiness: Readiness = { draining: false };
  let routesArrived = false;
  const view = routingView(routing, metrics, now, {
    source: config.routesFrom,
    ...(parts.routeSource ? { awaitRoutes: () => routesArrived } : {}),
    ...(parts.services ? { watched: () => parts.services!.watched() } : {}),
  });
  const dashboard = createDashboard({
    pool,
    readiness,
    metrics,
    stats,
    version: VERSION,
    runtime: runtime.name,
    discoveryKind: discovery?.kind ?? config.discovery,
    slowStart: {
      windowMs: config.balancer.slowStartMs,
      minPercent: config.balancer.slowStartMinPercent,
    },
    // With routes, the header says what /ready says, over every group (not the first one).
    ...(routed
      ? {
        routes: () => routesFromGroups(routing.groups(), routing.specs),
        notReady: () => view.notReady(),
        synced: () =>
          (!parts.routeSource || routesArrived) && routing.groups().every((g) => g.pool.synced),
      }
      : {}),
    sampleMs: config.admin.dashboardSampleMs,
    now,
  });
  // backend_added/removed/ejected, backends_changed and draining become dashboard events; every
  // line still reaches the real logger unchanged.
  logger = dashboard.teeLogger(parts.logger);
  routing.setLogger(logger);
  feeding = true;
  for (const start of pending.splice(0)) start();
  const budget = new RetryBudget({
    percent: config.retry.budgetPercent,
    minConcurrency: config.retry.budgetMinConcurrency,
  });
  parts.routeSource?.start((routes) => {
    routing.update(routes);
    routesArrived = true;
    logger.info("routes_changed", {
      routes: routes.length,
      groups: routing.groups().length,
      watches: parts.services?.watched().length ?? 0,
    });
  });

  const http1 = config.upstreamClient === "http1"
    ? createHttp1Client({
      dial: runtime.http1.dial,
      streamBody: runtime.http1.streamBody,
      connectTimeoutMs: config.timeouts.upstreamConnectMs,
      keepAliveMs: config.timeouts.upstreamKeepAliveMs,
      idleTimeoutMs: config.timeouts.upstreamIdleMs,
      responseHeaders: http1ResponseHeaders,
    })
    : undefined;
  if (http1) {
    metrics.registry.gauge({
      name: "podgate_upstream_connections",
      help: "Open connections of podgate's own HTTP/1.1 client to backends, busy and idle.",
      collect: (emit) => emit(http1.connections),
    });
  }
  const transport = createTransport({
    timers: {
      headersMs: config.timeouts.upstreamHeadersMs,
      clientAbortCheckMs: config.timeouts.clientAbortCheckMs,
      connectMs: config.timeouts.upstreamConnectMs,
    },
    preserveHost: config.preserveHost,
    fetchTraits: fetchTraits(runtime, config.timeouts.upstreamIdleMs),
    dial: runtime.http1.dial,
    http1,
    http1Bodies: config.http1Bodies,
  });
  const bodyTimer = clientBodyTimer(
    runtime,
    config.timeouts.clientBodyIdleMs,
    config.timeouts.clientIdleMs,
  );
  const handler = createProxyHandler({
    resolve: (req) => resolve(routing.snapshot, req),
    transport,
    stats,
    logger,
    budget,
    attempts: config.retry.attempts,
    maxInflightPerBackend: config.limits.maxInflightPerBackend,
    observer: config.metrics ? metrics : undefined,
    webSocket: (req, upstream, clientIp, route) =>
      bridgeWebSocket(req, upstream, {
        path: route.path,
        plan: route.plan,
        runtime,
        logger,
        clientIp,
        connectTimeoutMs: config.timeouts.upstreamHeadersMs,
        preserveHost: config.preserveHost,
      }),
    accessLog: config.accessLog,
    fetchKeepsUnsentBody: runtime.fetchKeepsUnsentBody,
    headLimits: {
      maxHeaderBytes: config.limits.maxHeaderBytes,
      maxHeaderCount: config.limits.maxHeaderCount,
    },
    bodyIdleMs: bodyTimer.handlerMs,
    onError: (error) => logger.error("handler_error", { error }),
  });
  const separateAdmin = config.adminPort !== undefined;
  const admin = adminRoutes({
    pool,
    strategy,
    stats,
    readiness,
    outlier,
    latency,
    now,
    metrics,
    dashboard,
    dashboardAtRoot: separateAdmin,
    routing: view,
    routed,
    nextBackend: routed ? (probe) => nextBackendFor(resolve(routing.snapshot, probe)) : undefined,
  });
  const door = frontDoor(handler, separateAdmin ? undefined : admin);

  const onError = (error: unknown) => {
    logger.error("server_error", { error });
    return new Response('{"error":"internal error","status":500}', {
      status: 500,
      headers: { "content-type": "application/json" },
    });
  };
  const idleTimeoutSeconds = bodyTimer.serverIdleMs / 1000;
  const servers: RunningServer[] = [];
  const main = await runtime.serve((req, conn) => door(req, conn.remoteAddr), {
    port: config.port,
    hostname: config.hostname,
    idleTimeoutSeconds,
    onError,
  });
  servers.push(main);
  let adminPort: number | undefined;
  if (separateAdmin) {
    const adminServer = await runtime.serve((req) => admin.fetch(req), {
      port: config.adminPort!,
      hostname: config.hostname,
      idleTimeoutSeconds,
      onError,
    });
    servers.push(adminServer);
    adminPort = adminServer.port;
  }
  logger.info("listening", {
    hostname: main.hostname,
    port: main.port,
    admin_port: adminPort,
    discovery: discovery?.kind ?? config.discovery,
    ...(routed ? { routes: routing.specs.length, routes_from: config.routesFrom } : {}),
    strategy: strategy.name,
    runtime: runtime.name,
    upstream_client: http1 ? "http1" : "fetch",
  });

  return {
    port: main.port,
    adminPort,
    pool,
    strategy,
    routing,
    stats,
    readiness,
    metrics,
    dashboard,
    fetch: door,
    async drain() {
      readiness.draining = true;
      logger.info("draining", {
        delay_ms: config.timeouts.drainDelayMs,
        deadline_ms: config.timeouts.drainMs,
      });
      await delay(config.timeouts.drainDelayMs);
      await parts.routeSource?.stop();
      await discovery?.stop();
      routing.stop();
      await parts.services?.stop();
      // /events streams never end by themselves: a shutdown would wait out drainMs for them.
      dashboard.stop();
      const clean = await within(
        Promise.all(servers.map((s) => s.shutdown())),
        config.timeouts.drainMs,
      );
      if (!clean) {
        logger.warn("drain_deadline_passed", { deadline_ms: config.timeouts.drainMs });
        await within(Promise.all(servers.map((s) => s.close())), 1000);
      }
      http1?.close();
      logger.info("stopped", { drained: clean });
      logger.flush();
      return clean;
    },
  };
}

/** A single-service config's one route: every host, `/`, the configured discovery. */
export const IMPLICIT_ROUTE: RouteSpec = Object.freeze({
  name: "default",
  hostnames: Object.freeze([]),
  rules: Object.freeze([
    Object.freeze({
      matches: Object.freeze([MATCH_EVERYTHING]),
      filters: Object.freeze([]),
      backendRefs: Object.freeze([
        Object.freeze({ source: Object.freeze({ kind: "discovery" }), weight: 1, filters: [] }),
      ]),
    }),
  ]),
  createdAt: 0,
  order: 0,
}) as RouteSpec;

/** /debug/next-backend with routes: the group a resolution names picks as the request path would. */
function nextBackendFor(resolution: Resolution): NextBackend {
  if (resolution.kind === "respond") {
    const location = resolution.response.headers.get("location");
    return {
      route: resolution.route,
      status: resolution.response.status,
      error: resolution.error || (location !== null ? "redirect" : "answered by the route"),
      ...(location !== null ? { location } : {}),
    };
  }
  const { group, route } = resolution;
  const selected = group.strategy.pick(group.outlier.usable(group.pool.routable()));
  return selected
    ? { route, selected: selected.address }
    : { route, status: 503, error: "no backend available" };
}
