// The request path, the first step of a request (app.ts hands it over): its framing is checked
// (framing.ts), its route resolved (route_resolution.ts), a backend of the route's group is
// selected (src/balancer/), the rule's filters applied, the transport carries the attempt
// (transport.ts), and the response goes back; on a failure that is safe to repeat another
// backend is tried, within the attempt limit and the retry budget. Passive health learns from
// every attempt. Errors are answered as JSON; each request is logged as one line.
import type { BackendGroup } from "../balancer/backend_group.ts";
import type { OutlierDetector } from "../balancer/outlier.ts";
import type { RetryBudget } from "../balancer/retry_budget.ts";
import { isRetryable, RETRYABLE_STATUSES } from "../balancer/retryable.ts";
import type { Upstream } from "../balancer/upstream.ts";
import { editHeaderRecord, editHeaders, modifiedPath } from "../routes/filters.ts";
import { querySuffix } from "../routes/request_target.ts";
import type { RequestHeaders } from "../http1/client.ts";
import type { Logger } from "../log.ts";
import {
  bodyTimeoutError,
  errorResponse,
  framingError,
  headLimitsError,
  UpstreamError,
  type UpstreamErrorKind,
} from "./errors.ts";
import { requestFraming } from "./framing.ts";
import { type HeadLimits, headLimitsExceeded } from "./head_limits.ts";
import { type TimedBody, timedBody } from "./body_timeout.ts";
import { attemptBody } from "./request_body.ts";
import { type ForwardPlan, NO_FILTERS, type Resolution } from "./route_resolution.ts";
import { isWebSocketUpgrade } from "./websocket.ts";
import type { ProxyStats } from "./stats.ts";
import type { Transport } from "./transport.ts";
import { upstreamTarget } from "./upstream_target.ts";

/** What the request path reports, for metrics. */
export interface ProxyObserver {
  attempt(upstream: Upstream, status: number | "error", seconds: number): void;
  error(upstream: Upstream, kind: UpstreamErrorKind): void;
  retry(): void;
  /** `route`: the route's name, "-" when none matched; undefined for the implicit route. */
  response(status: number, route: string | undefined): void;
}

export interface ProxyHandlerOptions {
  /** The route of a request, and the backend group or the answer it leads to. */
  resolve: (req: Request) => Resolution;
  transport: Transport;
  stats: ProxyStats;
  logger: Logger;
  budget: RetryBudget;
  /** Tries per request, the first included. */
  attempts?: number;
  /** Most requests in flight to one backend; 0 for no limit. */
  maxInflightPerBackend?: number;
  observer?: ProxyObserver | undefined;
  accessLog?: boolean;
  /** A monotonic clock in ms, for durations. */
  now?: () => number;
  newRequestId?: () => string;
  /** Told of an error the request path did not expect; the client gets a JSON 500. */
  onError?: (error: unknown) => void;
  /** The client's body stream can go to a second attempt as is (see attemptBody). */
  fetchKeepsUnsentBody?: boolean;
  /** Header count and size limits (431 beyond them); both 0 by default: no limit. */
  headLimits?: HeadLimits;
  /** A request body that stalls this long gets 408 and aborts its upstream request; 0: never. */
  bodyIdleMs?: number;
  /** Bridges a WebSocket upgrade to the chosen backend (see websocket.ts). */
  webSocket?: (
    req: Request,
    upstream: Upstream,
    clientIp: string,
    route: { path: string; plan: ForwardPlan },
  ) => Promise<Response>;
}

export type ProxyHandler = (req: Request, clientIp: string) => Promise<Response>;

const BODY_TIMED_OUT: unique symbol = Symbol("body timed out");

const NO_OBSERVER: ProxyObserver = { attempt() {}, error() {}, retry() {}, response() {} };

export function createProxyHandler(options: ProxyHandlerOptions): ProxyHandler {
  const {
    resolve,
    transport,
    stats,
    logger,
    budget,
    attempts = 1,
    maxInflightPerBackend = 0,
    observer = NO_OBSERVER,
    accessLog = true,
    now = performance.now.bind(performance),
    newRequestId = () => crypto.randomUUID(),
    webSocket,
    fetchKeepsUnsentBody = false,
    headLimits = { maxHeaderBytes: 0, maxHeaderCount: 0 },
    bodyIdleMs = 0,
    onError = () => {},
  } = options;

  const ejectionLog = (u: Upstream, ejection: ReturnType<OutlierDetector["onFailure"]>) => {
    if (!ejection) return;
    if (ejection.ejected) {
      logger.warn("backend_ejected", {
        backend: u.address,
        reason: ejection.reason,
        duration_ms: ejection.durationMs,
        times_ejected: ejection.timesEjected,
      });
    } else logger.warn("backend_ejection_skipped", { backend: u.address, reason: "panic floor" });
  };

  const isFull = (u: Upstream) => maxInflightPerBackend > 0 && u.inflight >= maxInflightPerBackend;
  const anyFull = (list: readonly Upstream[]) => {
    if (maxInflightPerBackend === 0) return false;
    for (let i = 0; i < list.length; i++) if (isFull(list[i]!)) return true;
    return false;
  };

  /**
   * Backends that may take this attempt: not ejected, not full, not tried already. `full` says
   * that a first attempt found every usable backend at its in-flight limit. The common case, a
   * first attempt with room everywhere, hands back the pool's own list without copying it.
   */
  const candidates = (
    group: BackendGroup,
    tried: Upstream[],
  ): { list: readonly Upstream[]; full: boolean } => {
    const usable = group.outlier.usable(group.pool.routable());
    if (tried.length === 0 && !anyFull(usable)) return { list: usable, full: false };
    const list = usable.filter((u) => !isFull(u) && !tried.includes(u));
    return { list, full: list.length === 0 && usable.length > 0 && tried.length === 0 };
  };

  return async (req, clientIp) => {
    const start = now();
    const clientRequestId = req.headers.get("x-request-id");
    const requestId = clientRequestId || newRequestId();
    // What goes upstream: printable ASCII only, whatever the runtime decoded (upstream_target.ts).
    const path = upstreamTarget(req.url);
    let upstreamPath = path;
    let group: BackendGroup | undefined;
    let route = "-";
    let logRoute = false;
    let resolution: Resolution | undefined;
    const framing = requestFraming(
      req.method,
      req.headers.get("content-length"),
      req.headers.get("transfer-encoding"),
      req.headers.get("host"),
    );
    const fields = transport.headerRecord(req);
    const tooLarge = headLimitsExceeded(fields, headLimits);
    const endRequest = budget.startRequest();
    const upgrade = webSocket !== undefined && isWebSocketUpgrade(req);
    // The framing verdict alone says whether there is a body to send: a stream the server
    // handed over for a request without one is never offered to an upstream.
    const hasBody = !upgrade && (framing.kind === "length" || framing.kind === "chunked");
    const timed: TimedBody | undefined = hasBody && bodyIdleMs > 0 && req.body !== null
      ? timedBody(req.body, bodyIdleMs)
      : undefined;
    const body = hasBody
      // A watched body is a JS stream, which Bun's fetch pulls from before it finds a connection
      // refused, as Deno's does: it takes the replaying path then.
      ? attemptBody(req, fetchKeepsUnsentBody && !timed, undefined, timed ? timed.stream : req.body)
      : undefined;
    const tried: Upstream[] = [];
    let headers: RequestHeaders | undefined;
    const releases: Array<() => void> = [];
    let failure: { status: number; kind: UpstreamErrorKind; backend: string } | undefined;
    let upstreamMs = 0;

    /** `idSet`: the transport already put X-Request-Id on this response. */
    const finish = (res: Response, backend: string, error?: string, idSet = false) => {
      // Bun answers 101 itself and hands back a stand-in 200; log what the client got.
      const status = upgrade && res.status < 300 ? 101 : res.status;
      observer.response(status, logRoute ? route : undefined);
      if (accessLog) {
        // Serialized by hand: this runs for every request. Method, backend and error kind are
        // tokens the server or podgate produced; path and request id come from the client.
        logger.raw(
          "info",
          "request",
          `"method":"${req.method}","path":${JSON.stringify(path)},"backend":"${backend}",` +
            `"status":${status},"duration_ms":${round(now() - start)},"upstream_ms":${
              round(upstreamMs)
            },` +
            `"attempts":${tried.length},"request_id":${
              clientRequestId === null ? `"${requestId}"` : JSON.stringify(requestId)
            }` +
            (logRoute ? `,"route":${JSON.stringify(route)}` : "") +
            (error ? `,"error":"${error}"` : ""),
        );
      }
      if (!idSet && !res.headers.has("x-request-id")) res.headers.set("x-request-id", requestId);
      return res;
    };

    try {
      if (tooLarge) return finish(headLimitsError(tooLarge), "-", "head_limits");
      if (framing.kind === "reject") return finish(framingError(framing.reason), "-", "framing");
      resolution = resolve(req);
      route = resolution.route;
      // The implicit route of a single-service config logs as it always has: without a route.
      logRoute = resolution.kind === "respond" || resolution.view !== undefined;
      if (resolution.kind === "respond") {
        return finish(resolution.response, "-", resolution.error || undefined);
      }
      group = resolution.group;
      const { plan, view } = resolution;
      if (plan.rewrite?.path && view) {
        upstreamPath = upstreamTarget(
          modifiedPath(view.path, plan.rewrite.path, resolution.matched) + querySuffix(req.url),
        );
      }
      const { strategy, outlier, latency } = group;
      for (;;) {
        const { list, full } = candidates(group, tried);
        const upstream = list.length > 0
          ? strategy.pick(list, { clientIp, request: req })
          : undefined;
        if (!upstream) {
          if (failure) {
            return finish(failureResponse(failure), failure.backend, failure.kind);
          }
          if (full) {
            const res = errorResponse(503, "every backend is at its in-flight limit");
            res.headers.set("retry-after", "1");
            return finish(res, "-", "full");
          }
          return finish(errorResponse(503, "no backend available"), "-", "no_backend");
        }

        tried.push(upstream);
        if (tried.length === 1) stats.totalRequests++;
        upstream.requestsForwarded++;
        if (upgrade) {
          // The bridge counts the backend's in-flight for as long as the socket is open.
          const res = await webSocket!(req, upstream, clientIp, {
            path: upstreamPath,
            plan: resolution.plan,
          });
          if (res.status === 502 || res.status === 504) {
            const kind = res.status === 502 ? "connect" : "timeout";
            ejectionLog(upstream, outlier.onFailure(upstream, kind));
            if (retryAllowed(kind)) continue;
            return finish(res, upstream.address, kind);
          }
          return finish(res, upstream.address);
        }
        upstream.inflight++;
        // Once, however the attempt ends: the own client calls onDone for a failed exchange too,
        // and the catch below releases as well (both drove in-flight below zero).
        let held = true;
        const releaseSlot = () => {
          if (!held) return;
          held = false;
          upstream.inflight--;
        };
        const attemptStart = now();
        let res: Response;
        try {
          headers ??= planHeaders(
            transport.prepare(req, clientIp, requestId, fields),
            resolution.plan,
          );
          const forwarding = transport.forward(req, upstream, {
            path: upstreamPath,
            headers,
            requestId,
            body: body ? body.forAttempt() : null,
            onDone: releaseSlot,
          });
          const first = timed
            ? await Promise.race([
              forwarding,
              timed.timedOut.then((): typeof BODY_TIMED_OUT => BODY_TIMED_OUT),
            ])
            : await forwarding;
          if (first === BODY_TIMED_OUT) {
            // The cut body aborts the upstream request; whatever it ends in is no longer ours.
            forwarding.then((r) => r.body?.cancel().catch(() => {}), releaseSlot);
            return finish(bodyTimeoutError(bodyIdleMs), upstream.address, "body_timeout");
          }
          res = first;
        } catch (error) {
          releaseSlot();
          // The client stalled, not the backend: no failure of the backend's, no retry.
          if (timed?.expired) {
            return finish(bodyTimeoutError(bodyIdleMs), upstream.address, "body_timeout");
          }
          if (!(error instanceof UpstreamError)) throw error;
          const elapsed = now() - attemptStart;
          upstreamMs += elapsed;
          observer.attempt(upstream, "error", elapsed / 1000);
          observer.error(upstream, error.kind);
          if (error.kind === "aborted") {
            return finish(errorResponse(499, "client closed request"), upstream.address, "aborted");
          }
          if (error.kind === "timeout") latency?.observe(upstream, elapsed);
          ejectionLog(
            upstream,
            outlier.onFailure(
              upstream,
              error.kind === "connect" ? "connect" : error.kind === "timeout" ? "timeout" : "5xx",
            ),
          );
          failure = { status: error.status, kind: error.kind, backend: upstream.address };
          const failureKind = error.kind === "connect"
            ? "connect"
            : error.kind === "timeout"
            ? "timeout"
            : 502;
          if (retryAllowed(failureKind)) continue;
          return finish(failureResponse(failure), upstream.address, error.kind);
        }

        const elapsed = now() - attemptStart;
        upstreamMs += elapsed;
        observer.attempt(upstream, res.status, elapsed / 1000);
        latency?.observe(upstream, elapsed);
        ejectionLog(upstream, outlier.onResponse(upstream, res.status));
        if (RETRYABLE_STATUSES.has(res.status) && retryAllowed(res.status)) {
          await res.body?.cancel().catch(() => {});
          failure = undefined;
          continue;
        }
        for (const edits of resolution.plan.responseEdits) editHeaders(res.headers, edits);
        return finish(res, upstream.address, undefined, true);
      }
    } catch (error) {
      // A bug, not an upstream failure: the client still gets JSON, its request id and a log line.
      onError(error);
      return finish(errorResponse(500, "internal error"), tried.at(-1)?.address ?? "-", "internal");
    } finally {
      endRequest();
      for (const release of releases) release();
    }

    function retryAllowed(failureKind: "connect" | "timeout" | number): boolean {
      if (tried.length >= attempts || !group || candidates(group, tried).list.length === 0) {
        return false;
      }
      if (
        !isRetryable(failureKind, {
          method: req.method,
          bodyStreamed: body?.streamed ?? false,
          clientGone: req.signal.aborted,
        })
      ) {
        return false;
      }
      // A refused connection put no load on any backend, so it does not spend the budget, which
      // exists to keep retries from piling onto backends that are already struggling.
      if (failureKind !== "connect") {
        const release = budget.tryRetry();
        if (!release) return false;
        releases.push(release);
      }
      observer.retry();
      return true;
    }
  };
}

/** The upstream request's headers after the rule's header edits and host rewrite. */
function planHeaders(headers: RequestHeaders, plan: ForwardPlan): RequestHeaders {
  if (plan === NO_FILTERS) return headers;
  const record = headers as Record<string, string>;
  for (const edits of plan.requestEdits) editHeaderRecord(record, edits);
  if (plan.rewrite?.hostname) record.host = plan.rewrite.hostname;
  return headers;
}

function failureResponse(
  failure: { status: number; kind: UpstreamErrorKind; backend: string },
): Response {
  const message = failure.kind === "timeout" ? "upstream timed out" : "bad gateway";
  return errorResponse(failure.status, message, { backend: failure.backend, kind: failure.kind });
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
