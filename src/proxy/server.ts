// Wires a running proxy from its config: discovery → pool → strategy → transport → front door (Hono for admin routes) →
// runtime.serve. `drain()` is the shutdown order: readiness false → stop discovery → drain the
// listener → hard deadline.
import { clientBodyTimer } from "../runtime/client_body_timer.ts";
import { adminRoutes, type Readiness } from "../admin/routes.ts";
import {
  createStrategy,
  outlierDetector,
  peakEwma,
  Pool,
  RetryBudget,
  type Strategy,
} from "../balancer/mod.ts";
import type { ProxyConfig } from "../config/mod.ts";
import type { Discovery } from "../discovery/mod.ts";
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
  discovery: Discovery;
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
  readonly pool: Pool;
  readonly strategy: Strategy;
  readonly stats: ProxyStats;
  readonly readiness: Readiness;
  readonly metrics: ProxyMetrics;
  /** Everything the main port serves, as one function (tests call it without a socket). */
  readonly fetch: FrontDoor;
  /** Graceful stop; resolves true when in-flight requests finished before the deadline. */
  drain(): Promise<boolean>;
}

export async function startProxy(parts: ProxyParts): Promise<RunningProxy> {
  const { config, runtime, logger, discovery, random = Math.random, now = Date.now } = parts;
  const pool = new Pool({ now });
  const metrics = parts.metrics ?? createProxyMetrics({
    pool,
    now,
    runtimeName: runtime.name,
    version: VERSION,
    process: { memoryRss: runtime.memoryRss },
  });
  const latency = peakEwma({ decayMs: config.balancer.ewmaDecayMs, now });
  const strategy = createStrategy(config.strategy, {
    ...config.balancer,
    randomStart: config.randomStart,
    random,
    now,
    latency,
  });
  const outlier = outlierDetector(() => pool.routable(), { ...config.outlier, now });
  const budget = new RetryBudget({
    percent: config.retry.budgetPercent,
    minConcurrency: config.retry.budgetMinConcurrency,
  });
  const stats = createStats();
  const readiness: Readiness = { draining: false };

  discovery.start((endpoints) => {
    const change = pool.update(endpoints);
    for (const backend of change.added) {
      logger.info("backend_added", { backend, discovery: discovery.kind });
    }
    for (const backend of change.removed) {
      logger.info("backend_removed", { backend, discovery: discovery.kind });
    }
    logger.info("backends_changed", {
      total: pool.all().length,
      routable: pool.routable().length,
      added: change.added.length,
      removed: change.removed.length,
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
  });
  const bodyTimer = clientBodyTimer(
    runtime,
    config.timeouts.clientBodyIdleMs,
    config.timeouts.clientIdleMs,
  );
  const handler = createProxyHandler({
    pool,
    strategy,
    transport,
    stats,
    logger,
    outlier,
    budget,
    latency,
    attempts: config.retry.attempts,
    maxInflightPerBackend: config.limits.maxInflightPerBackend,
    observer: config.metrics ? metrics : undefined,
    webSocket: (req, upstream, clientIp) =>
      bridgeWebSocket(req, upstream, {
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
  const admin = adminRoutes({ pool, strategy, stats, readiness, outlier, latency, now, metrics });
  const separateAdmin = config.adminPort !== undefined;
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
    discovery: discovery.kind,
    strategy: strategy.name,
    runtime: runtime.name,
    upstream_client: http1 ? "http1" : "fetch",
  });

  return {
    port: main.port,
    adminPort,
    pool,
    strategy,
    stats,
    readiness,
    metrics,
    fetch: door,
    async drain() {
      readiness.draining = true;
      logger.info("draining", {
        delay_ms: config.timeouts.drainDelayMs,
        deadline_ms: config.timeouts.drainMs,
      });
      await delay(config.timeouts.drainDelayMs);
      await discovery.stop();
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
