// One try of a request at one backend, as the handler hands it to a client: the shape both
// clients of the transport take (see transport.ts).
import type { Upstream } from "../balancer/upstream.ts";
import type { RequestHeaders } from "../http1/client.ts";

export interface Attempt {
  /** The request's path and query, as upstream_target.ts makes it. */
  path: string;
  /** The upstream request's headers, prepared once per request (see Transport.prepare). */
  headers: RequestHeaders;
  /** Sent back to the client as X-Request-Id. */
  requestId: string;
  /** The body stream for this attempt (null for none, as the framing verdict said). */
  body: ReadableStream<Uint8Array> | null;
  /** Called once when the response body has been delivered, failed or been cancelled. */
  onDone?: () => void;
}

/** Carries one attempt to `upstream` and resolves with the response to hand the client. */
export type Forward = (req: Request, upstream: Upstream, attempt: Attempt) => Promise<Response>;
