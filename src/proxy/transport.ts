// How bytes move, the third step of a request (handler → selection → transport → response):
// one attempt streamed to one upstream, and its response streamed back. Which client carries it
// follows from the config and the request alone: podgate's own HTTP/1.1 client, when configured,
// for a request without a body; fetch for a request with one (unless `http1Bodies`), and for
// everything when fetch is configured. Nothing learned from earlier requests enters into it. Both clients keep the same
// timeouts (the README's "Transport semantics" table says where Bun makes them differ).
// Redirects are passed to the client; a client that leaves cancels the upstream request.
import type { Upstream } from "../balancer/upstream.ts";
import type { Http1Client, RequestHeaders } from "../http1/client.ts";
import type { FetchTraits } from "../runtime/fetch_traits.ts";
import type { Dial } from "../runtime/types.ts";
import { sharedConnectProbe } from "./connect_probe.ts";
import { fetchForwarder } from "./forward_fetch.ts";
import { http1Forwarder } from "./forward_http1.ts";
import { upstreamRequestRecord } from "./headers.ts";
import type { HeaderTimers } from "./headers_watch.ts";
import type { Attempt } from "./attempt.ts";

export type { Attempt } from "./attempt.ts";

export interface TransportOptions {
  /** Header timeout, client-gone check and connect limit, for both clients. */
  timers: HeaderTimers;
  preserveHost: boolean;
  /** How fetch behaves on this runtime (src/runtime/fetch_traits.ts). */
  fetchTraits: FetchTraits;
  /** Opens the connect probe's connections (fetch cannot time its own connect). */
  dial?: Dial | undefined;
  /** The own client, when the config chose it; it carries requests without a body. */
  http1?: Http1Client | undefined;
  /**
   * The own client carries requests with a body too. Off by default: under Bun a 1 MiB POST
   * costs more CPU through it than through fetch, whose native pipes move both bodies without
   * JS buffers (bench/results/issue15-bodies.md).
   */
  http1Bodies?: boolean;
  fetch?: typeof fetch;
}

export interface Transport {
  /** The client's header fields as one record: the runtime's fastest copy, made once. */
  headerRecord(req: Request): Record<string, string>;
  /**
   * The headers every attempt of this request sends upstream, X-Request-Id included, made from
   * `record` (which it changes) when the caller has it.
   */
  prepare(
    req: Request,
    clientIp: string,
    requestId: string,
    record?: Record<string, string>,
  ): RequestHeaders;
  forward(req: Request, upstream: Upstream, attempt: Attempt): Promise<Response>;
}

export type Carrier = "http1" | "fetch";

/**
 * Which client carries a request: the config's choice and whether the request has a body (both
 * clients send a body exactly as the framing verdict framed it).
 */
export function carrierFor(configured: Carrier, hasBody: boolean, http1Bodies = false): Carrier {
  return configured === "http1" && (!hasBody || http1Bodies) ? "http1" : "fetch";
}

export function createTransport(options: TransportOptions): Transport {
  const { timers, preserveHost, fetchTraits, dial, http1, http1Bodies = false } = options;
  const viaFetch = fetchForwarder({
    timers,
    traits: fetchTraits,
    fetch: options.fetch ?? fetch,
    probe: dial && timers.connectMs > 0 ? sharedConnectProbe(dial) : undefined,
  });
  const viaHttp1 = http1 ? http1Forwarder(http1, timers) : undefined;
  const configured: Carrier = viaHttp1 ? "http1" : "fetch";

  return {
    headerRecord: (req) => fetchTraits.headerRecord(req.headers),
    prepare(req, clientIp, requestId, record = fetchTraits.headerRecord(req.headers)) {
      upstreamRequestRecord(record, {
        clientIp,
        proto: "http",
        preserveHost,
        acceptEncoding: fetchTraits.acceptEncoding(record["accept-encoding"] ?? null),
      });
      record["x-request-id"] = requestId;
      return record;
    },
    forward: (req, upstream, attempt) =>
      carrierFor(configured, attempt.body !== null, http1Bodies) === "http1"
        ? viaHttp1!(req, upstream, attempt)
        : viaFetch(req, upstream, attempt),
  };
}
