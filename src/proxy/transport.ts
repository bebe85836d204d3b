// How bytes move: one request streamed to one upstream, and its response streamed back; through
// podgate's own HTTP/1.1 client for a request without a body when there is one, else through
// fetch. Redirects are passed to the client; a client that leaves cancels the upstream request.
import type { Upstream } from "../balancer/upstream.ts";
import { type Http1Client, Http1Error, type RequestHeaders } from "../http1/client.ts";
import type { NativeIdleTimeout } from "../runtime/types.ts";
import { classifyFetchError, UpstreamError } from "./errors.ts";
import { LongBodyPaths } from "./long_body_paths.ts";
import { tracked } from "./tracked_body.ts";
import {
  downstreamResponseHeaders,
  endToEndList,
  stripHopByHop,
  upstreamRequestHeaders,
  upstreamRequestRecord,
} from "./headers.ts";

export interface TransportOptions {
  /** Time allowed from sending the request to the response headers (0: no limit). */
  headersTimeoutMs: number;
  /** Longest silence allowed between two chunks of the response body (0: no limit). */
  idleTimeoutMs: number;
  preserveHost: boolean;
  /** Runtime-specific RequestInit fields (see runtime.proxyInit). */
  fetchInit: Record<string, unknown>;
  /** The Accept-Encoding to send upstream given the client's. */
  acceptEncoding: (clientValue: string | null) => string | null;
  /** The runtime lets fetch's response headers be edited, so that Response can be returned. */
  responseHeadersMutable?: boolean;
  /** The runtime lets a served request's headers be edited, so they need not be copied. */
  requestHeadersMutable?: boolean;
  /** The runtime's one-call copy of headers into a plain object (see Runtime.headerRecord). */
  headerRecord?: (headers: Headers) => Record<string, string>;
  /** After this long without response headers, a client that left cancels the upstream request. */
  clientAbortCheckMs?: number;
  fetch?: typeof fetch;
  /** Bodies up to this many bytes (by Content-Length) are not watched for idleness. */
  smallBodyBytes?: number;
  /** The runtime's own fetch idle timer (see Runtime.fetchIdleTimeout), used from minMs up. */
  nativeIdleTimeout?: NativeIdleTimeout | undefined;
  /** Carries requests without a body instead of fetch (it keeps its own idle timeout). */
  http1?: Http1Client | undefined;
  /** How many paths with long responses are remembered (see LongBodyPaths). */
  longBodyPaths?: number;
}

export interface Attempt {
  /** The request's path and query (see pathAndQuery). */
  path: string;
  /** The upstream request's headers, prepared once per request (see Transport.prepare). */
  headers: HeadersInit;
  /** Sent back to the client as X-Request-Id. */
  requestId: string;
  /** The body stream for this attempt (null for none). */
  body: ReadableStream<Uint8Array> | null;
  /** Called once when the response body has been delivered, failed or been cancelled. */
  onDone?: () => void;
}

export interface Transport {
  /** The headers every attempt of this request sends upstream, X-Request-Id included. */
  prepare(req: Request, clientIp: string, requestId: string): HeadersInit;
  forward(req: Request, upstream: Upstream, attempt: Attempt): Promise<Response>;
}

/** The path and query of a request URL, without parsing it into a URL object. */
export function pathAndQuery(url: string): string {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash === -1 ? "/" : url.slice(slash);
}

export function createTransport(options: TransportOptions): Transport {
  const {
    headersTimeoutMs,
    preserveHost,
    acceptEncoding,
    fetch: fetchFn = fetch,
    smallBodyBytes = 65_536,
    responseHeadersMutable = false,
    requestHeadersMutable = false,
    clientAbortCheckMs = 50,
    nativeIdleTimeout,
    headerRecord,
    http1,
  } = options;
  const longBodies = new LongBodyPaths(options.longBodyPaths ?? 4096);
  // A long idle timeout is left to the runtime's fetch where it has one: its timer costs nothing
  // per chunk, so bodies are piped natively (a JS-visible stream halves a 1 MiB body's throughput
  // under Bun). In-flight then counts to the response headers, not to the end of the body.
  const native = nativeIdleTimeout !== undefined && options.idleTimeoutMs > 0 &&
    options.idleTimeoutMs >= nativeIdleTimeout.minMs;
  const fetchInit = native
    ? { ...options.fetchInit, ...nativeIdleTimeout.init(options.idleTimeoutMs) }
    : options.fetchInit;
  const idleTimeoutMs = native ? 0 : options.idleTimeoutMs;
  const initFields = Object.entries(fetchInit);

  const prepare = (req: Request, clientIp: string, requestId: string): HeadersInit => {
    if (headerRecord) {
      const record = headerRecord(req.headers);
      upstreamRequestRecord(record, {
        clientIp,
        proto: "http",
        preserveHost,
        acceptEncoding: acceptEncoding(record["accept-encoding"] ?? null),
      });
      record["x-request-id"] = requestId;
      return record;
    }
    const info = {
      clientIp,
      proto: "http",
      preserveHost,
      acceptEncoding: acceptEncoding(req.headers.get("accept-encoding")),
    };
    const headers = upstreamRequestHeaders(req.headers, info, requestHeadersMutable);
    headers.set("x-request-id", requestId);
    // The HTTP/1.1 client writes a plain object's fields (set-cookie as a list).
    return http1 ? headersToRecord(headers) as HeadersInit : headers;
  };

  /**
   * After clientAbortCheckMs without response headers, links the client's signal (touching it
   * costs Bun about 4% of a small request, and most upstreams answer sooner), then waits out
   * the rest of the header timeout. `abort(true)` is the timeout, `abort(false)` a client gone.
   */
  const watchHeaders = (req: Request, abort: (timedOut: boolean) => void) => {
    let linked = false;
    const onClientGone = () => abort(false);
    const onHeadersTimeout = () => {
      watch.timedOut = true;
      abort(true);
    };
    const onCheck = () => {
      if (req.signal.aborted) return abort(false);
      req.signal.addEventListener("abort", onClientGone, { once: true });
      linked = true;
      if (headersTimeoutMs > 0) timer = setTimeout(onHeadersTimeout, headersTimeoutMs - firstWait);
    };
    const firstWait = headersTimeoutMs > 0
      ? Math.min(clientAbortCheckMs, headersTimeoutMs)
      : clientAbortCheckMs;
    let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(
      firstWait === headersTimeoutMs ? onHeadersTimeout : onCheck,
      firstWait,
    );
    const watch = {
      timedOut: false,
      /** Stops the timer; `unlink` also stops listening for the client leaving. */
      stop(unlink: boolean) {
        clearTimeout(timer);
        if (unlink && linked) req.signal.removeEventListener("abort", onClientGone);
      },
    };
    return watch;
  };

  const forwardHttp1 = async (
    client: Http1Client,
    req: Request,
    upstream: Upstream,
    attempt: Attempt,
  ): Promise<Response> => {
    const exchange = client.request(
      upstream.address,
      req.method,
      attempt.path,
      attempt.headers as RequestHeaders,
      attempt.onDone,
      attempt.requestId,
    );
    const watch = watchHeaders(req, (timedOut) => exchange.abort(timedOut ? "timeout" : "aborted"));
    let response: Response;
    try {
      response = await exchange.response;
    } catch (error) {
      const kind = watch.timedOut
        ? "timeout"
        : req.signal.aborted
        ? "aborted"
        : error instanceof Http1Error
        ? error.kind
        : "other";
      throw new UpstreamError(kind, upstream.address, { cause: error });
    } finally {
      // A client that leaves mid-body cancels the body stream, which closes the connection.
      watch.stop(true);
    }
    if (exchange.streamed) longBodies.add(attempt.path);
    return response; // its headers are http1ResponseHeaders' work
  };

  /** The own client carries requests without a body (unless their path has long responses). */
  const ownClientFits = (attempt: Attempt) => http1 !== undefined && attempt.body === null;

  const forward = (req: Request, upstream: Upstream, attempt: Attempt): Promise<Response> =>
    ownClientFits(attempt) && !longBodies.has(attempt.path)
      ? forwardHttp1(http1!, req, upstream, attempt)
      : forwardFetch(req, upstream, attempt);

  const forwardFetch = async (
    req: Request,
    upstream: Upstream,
    attempt: Attempt,
  ): Promise<Response> => {
    const controller = new AbortController();
    const watch = watchHeaders(req, () => controller.abort());

    // Built field by field: spreading the runtime's fields into a literal costs a generic copy
    // per request.
    const init: Record<string, unknown> = {
      method: req.method,
      headers: attempt.headers,
      body: attempt.body,
      redirect: "manual",
      signal: controller.signal,
    };
    if (attempt.body) init.duplex = "half";
    for (let i = 0; i < initFields.length; i++) init[initFields[i]![0]] = initFields[i]![1];

    let response: Response;
    try {
      response = await fetchFn(upstream.origin + attempt.path, init as RequestInit);
    } catch (error) {
      watch.stop(true);
      const kind = watch.timedOut
        ? "timeout"
        : req.signal.aborted
        ? "aborted"
        : classifyFetchError(error);
      throw new UpstreamError(kind, upstream.address, { cause: error });
    }
    // The client's signal stays linked: a client that leaves mid-body cancels the upstream.
    watch.stop(false);
    if (ownClientFits(attempt) && isSmall(response.headers, smallBodyBytes)) {
      longBodies.delete(attempt.path); // short again: back to the own client
    }

    // A small body with a known length is passed through as it is, so the runtime can pipe it
    // natively: it is (nearly) all there with the headers, so neither an idle timer nor body-end
    // tracking has anything to do. Longer and open-ended bodies are watched chunk by chunk.
    // With the idle timeout off or left to the runtime, every body is piped natively and
    // in-flight counts to headers: a JS-visible stream costs about half the throughput of a
    // 1 MiB body (measured under Bun). Not even `response.body` is touched then: under Bun that
    // getter builds a JS stream, about 3% of a small request.
    let body: ReadableStream<Uint8Array> | null | undefined;
    if (idleTimeoutMs > 0 && !isSmall(response.headers, smallBodyBytes)) {
      body = response.body;
      if (body) body = tracked(body, idleTimeoutMs, () => controller.abort(), attempt.onDone);
      else attempt.onDone?.();
    } else attempt.onDone?.();
    if (body === undefined && responseHeadersMutable) {
      stripHopByHop(response.headers, headerRecord?.(response.headers));
      response.headers.set("x-request-id", attempt.requestId);
      return response;
    }
    const out = downstreamResponseHeaders(response.headers);
    out.set("x-request-id", attempt.requestId);
    return new Response(body === undefined ? response.body : body, {
      status: response.status,
      statusText: response.statusText,
      headers: out,
    });
  };

  return { prepare, forward };
}

/**
 * The headers of a response from the own HTTP/1.1 client, for the client to apply before it
 * builds the Response (Http1ClientOptions.responseHeaders): hop-by-hop fields dropped, and the
 * request id (the exchange's tag) added as X-Request-Id.
 */
export function http1ResponseHeaders(
  headers: [string, string][],
  requestId: string | undefined,
): [string, string][] {
  const out = endToEndList(headers);
  if (requestId !== undefined) out.push(["x-request-id", requestId]);
  return out;
}

function headersToRecord(headers: Headers): RequestHeaders {
  const record: RequestHeaders = {};
  headers.forEach((value, name) => {
    if (name !== "set-cookie") record[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) record["set-cookie"] = cookies;
  return record;
}

function isSmall(headers: Headers, limit: number): boolean {
  const length = headers.get("content-length");
  return length !== null && Number(length) <= limit;
}
