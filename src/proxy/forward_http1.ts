// The own HTTP/1.1 client's half of the transport: one attempt through podgate's client
// (src/http1/), which keeps its own connect and idle timeouts; the header timeout and the client
// leaving are watched here, the same way as for fetch. A body goes out framed as the request's
// framing verdict says: its Content-Length, or chunked.
import {
  type Http1Client,
  Http1Error,
  type RequestBody,
  type RequestHeaders,
} from "../http1/client.ts";
import { requestFraming } from "./framing.ts";
import { UpstreamError } from "./errors.ts";
import { endToEndList } from "./headers.ts";
import { type HeaderTimers, watchHeaders } from "./headers_watch.ts";
import type { Forward } from "./attempt.ts";

export function http1Forwarder(client: Http1Client, timers: HeaderTimers): Forward {
  // The client times its own connect: no probe.
  const watched = { ...timers, connectMs: 0 };
  return async (req, upstream, attempt) => {
    const exchange = client.request(
      upstream.address,
      req.method,
      attempt.path,
      attempt.headers as RequestHeaders,
      attempt.onDone,
      attempt.requestId,
      attempt.body ? bodyOf(req, attempt.body) : undefined,
    );
    const watch = watchHeaders(req, watched, undefined, (reason) => {
      exchange.abort(reason === "timeout" ? "timeout" : "aborted");
    });
    try {
      return await exchange.response; // its headers are http1ResponseHeaders' work
    } catch (error) {
      const kind = watch.reason ??
        (req.signal.aborted ? "aborted" : error instanceof Http1Error ? error.kind : "other");
      throw new UpstreamError(kind, upstream.address, { cause: error });
    } finally {
      // A client that leaves mid-body cancels the body stream, which closes the connection.
      watch.stop(true);
    }
  };
}

/**
 * The attempt's body with the framing the handler's verdict gave it (the same inputs): its
 * Content-Length, else chunked (the handler offers a stream only for a length or chunked
 * verdict; a stream without framing fields, made in-process, can only go chunked).
 */
function bodyOf(req: Request, stream: ReadableStream<Uint8Array>): RequestBody {
  const { headers } = req;
  const framing = requestFraming(
    req.method,
    headers.get("content-length"),
    headers.get("transfer-encoding"),
  );
  return { stream, length: framing.kind === "length" ? framing.length : "chunked" };
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
