// How bytes move: one request streamed to one upstream through fetch, and its response streamed
// back. Nothing is buffered; redirects are passed to the client; a client that leaves cancels the
// upstream request.
import type { Upstream } from "../balancer/upstream.ts";
import { classifyFetchError, UpstreamError } from "./errors.ts";
import { downstreamResponseHeaders, upstreamRequestHeaders } from "./headers.ts";

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
  fetch?: typeof fetch;
}

export type Forward = (req: Request, upstream: Upstream, clientIp: string) => Promise<Response>;

/** The path and query of a request URL, without parsing it into a URL object. */
export function pathAndQuery(url: string): string {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash === -1 ? "/" : url.slice(slash);
}

export function createTransport(options: TransportOptions): Forward {
  const {
    headersTimeoutMs,
    idleTimeoutMs,
    preserveHost,
    fetchInit,
    acceptEncoding,
    fetch: fetchFn = fetch,
  } = options;

  return async (req, upstream, clientIp) => {
    if (req.signal.aborted) throw new UpstreamError("aborted", upstream.address);
    const controller = new AbortController();
    const onClientGone = () => controller.abort();
    req.signal.addEventListener("abort", onClientGone, { once: true });
    let timedOut = false;
    const timer = headersTimeoutMs > 0
      ? setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, headersTimeoutMs)
      : undefined;

    const headers = upstreamRequestHeaders(req.headers, {
      clientIp,
      proto: "http",
      preserveHost,
      acceptEncoding: acceptEncoding(req.headers.get("accept-encoding")),
    });
    const hasBody = req.body !== null && req.method !== "GET" && req.method !== "HEAD";
    let response: Response;
    try {
      response = await fetchFn(upstream.origin + pathAndQuery(req.url), {
        method: req.method,
        headers,
        body: hasBody ? req.body : null,
        redirect: "manual",
        signal: controller.signal,
        ...(hasBody ? { duplex: "half" } : {}),
        ...fetchInit,
      } as RequestInit);
    } catch (error) {
      req.signal.removeEventListener("abort", onClientGone);
      const kind = timedOut
        ? "timeout"
        : req.signal.aborted
        ? "aborted"
        : classifyFetchError(error);
      throw new UpstreamError(kind, upstream.address, { cause: error });
    } finally {
      clearTimeout(timer);
    }

    const body = response.body && idleTimeoutMs > 0
      ? withIdleTimeout(response.body, idleTimeoutMs, () => controller.abort())
      : response.body;
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: downstreamResponseHeaders(response.headers),
    });
  };
}

/** Passes a body through, cutting it when the upstream stays silent for `ms`. */
function withIdleTimeout(
  body: ReadableStream<Uint8Array>,
  ms: number,
  onIdle: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      timer = setTimeout(onIdle, ms);
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
