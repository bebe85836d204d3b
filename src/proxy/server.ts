// Wires a running proxy from its config: discovery → pool → strategy → transport → Hono app →
// runtime.serve. `drain()` is the shutdown order: readiness false → stop discovery → drain the
// listener → hard deadline.
import type { Hono } from "hono";
import { adminRoutes, type Readiness } from "../admin/routes.ts";
import { createStrategy, Pool, type Strategy } from "../balancer/mod.ts";
import type { ProxyConfig } from "../config/mod.ts";
import type { Discovery } from "../discovery/mod.ts";
import type { Logger } from "../log.ts";
import type { RunningServer, Runtime } from "../runtime/mod.ts";
import { type Bindings, proxyApp } from "./app.ts";
import { createProxyHandler } from "./handler.ts";
import { createStats, type ProxyStats } from "./stats.ts";
import { createTransport } from "./transport.ts";
import { delay, within } from "../timing.ts";

export interface ProxyParts {
  config: ProxyConfig;
  runtime: Runtime;
  logger: Logger;
  discovery: Discovery;
  random?: () => number;
}

export interface RunningProxy {
  readonly port: number;
  /** The admin port when admin routes have one of their own. */
  readonly adminPort: number | undefined;
  readonly pool: Pool;
  readonly strategy: Strategy;
  readonly stats: ProxyStats;
  readonly readiness: Readiness;
  readonly app: Hono<{ Bindings: Bindings }>;
  /** Graceful stop; resolves true when in-flight requests finished before the deadline. */
  drain(): Promise<boolean>;
}

export async function startProxy(parts: ProxyParts): Promise<RunningProxy> {
  const { config, runtime, logger, discovery, random } = parts;
  const pool = new Pool();
  const strategy = createStrategy(config.strategy, {
    randomStart: config.randomStart,
    ...(random ? { random } : {}),
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

  const forward = createTransport({
    headersTimeoutMs: config.timeouts.upstreamHeadersMs,
    idleTimeoutMs: config.timeouts.upstreamIdleMs,
    preserveHost: config.preserveHost,
    fetchInit: runtime.proxyInit,
    acceptEncoding: runtime.upstreamAcceptEncoding,
  });
  const handler = createProxyHandler({
    pool,
    strategy,
    forward,
    stats,
    logger,
    accessLog: config.accessLog,
  });
  const admin = adminRoutes({ pool, strategy, stats, readiness });
  const separateAdmin = config.adminPort !== undefined;
  const app = proxyApp(
    handler,
    separateAdmin ? undefined : admin,
    (error) => logger.error("handler_error", { error }),
  );

  const onError = (error: unknown) => {
    logger.error("server_error", { error });
    return new Response('{"error":"internal error","status":500}', {
      status: 500,
      headers: { "content-type": "application/json" },
    });
  };
  const idleTimeoutSeconds = config.timeouts.clientIdleMs / 1000;
  const servers: RunningServer[] = [];
  const main = await runtime.serve((req, conn) => app.fetch(req, { clientIp: conn.remoteAddr }), {
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
  });

  return {
    port: main.port,
    adminPort,
    pool,
    strategy,
    stats,
    readiness,
    app,
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
      logger.info("stopped", { drained: clean });
      logger.flush();
      return clean;
    },
  };
}
