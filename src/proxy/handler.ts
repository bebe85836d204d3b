// The proxy's request path: pick a backend, forward, answer errors as JSON, log one line.
import type { Pool } from "../balancer/pool.ts";
import type { Strategy } from "../balancer/strategy.ts";
import type { Logger } from "../log.ts";
import { errorResponse, UpstreamError } from "./errors.ts";
import type { ProxyStats } from "./stats.ts";
import { type Forward, pathAndQuery } from "./transport.ts";

export interface ProxyHandlerOptions {
  pool: Pool;
  strategy: Strategy;
  forward: Forward;
  stats: ProxyStats;
  logger: Logger;
  accessLog?: boolean;
  now?: () => number;
}

export type ProxyHandler = (req: Request, clientIp: string) => Promise<Response>;

export function createProxyHandler(options: ProxyHandlerOptions): ProxyHandler {
  const {
    pool,
    strategy,
    forward,
    stats,
    logger,
    accessLog = true,
    now = performance.now.bind(performance),
  } = options;

  return async (req, clientIp) => {
    const upstream = strategy.pick(pool.routable(), { clientIp, request: req });
    if (!upstream) {
      if (accessLog) logAccess(logger, req, "-", 503, 0, "no_backend");
      return errorResponse(503, "no backend available");
    }
    stats.totalRequests++;
    upstream.requestsForwarded++;
    upstream.inflight++;
    const start = now();
    try {
      const response = await forward(req, upstream, clientIp);
      if (accessLog) logAccess(logger, req, upstream.address, response.status, now() - start);
      return response;
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      const status = error.kind === "aborted" ? 499 : error.status;
      if (accessLog) logAccess(logger, req, upstream.address, status, now() - start, error.kind);
      if (error.kind === "aborted") return errorResponse(499, "client closed request");
      const message = error.kind === "timeout" ? "upstream timed out" : "bad gateway";
      return errorResponse(status, message, { backend: upstream.address, kind: error.kind });
    } finally {
      upstream.inflight--;
    }
  };
}

function logAccess(
  logger: Logger,
  req: Request,
  backend: string,
  status: number,
  ms: number,
  error?: string,
): void {
  logger.info("request", {
    method: req.method,
    path: pathAndQuery(req.url),
    backend,
    status,
    duration_ms: Math.round(ms * 100) / 100,
    error,
  });
}
