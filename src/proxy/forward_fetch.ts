// The fetch client's half of the transport: one attempt through the runtime's fetch, its
// response handed back with hop-by-hop headers dropped. Bodies are piped natively where no
// watcher is needed; otherwise they are watched chunk by chunk for idleness and their end.
import type { FetchTraits } from "../runtime/fetch_traits.ts";
import { classifyFetchError, UpstreamError } from "./errors.ts";
import { downstreamResponseHeaders, stripHopByHop } from "./headers.ts";
import { type HeaderTimers, watchHeaders } from "./headers_watch.ts";
import { tracked } from "./tracked_body.ts";
import type { Forward } from "./attempt.ts";

/** Bodies up to this many bytes (by Content-Length) are nearly all there with the headers. */
const SMALL_BODY_BYTES = 65_536;

export interface FetchForwarding {
  timers: HeaderTimers;
  traits: FetchTraits;
  fetch: typeof fetch;
  /** Whether a backend accepts connections within a limit (see connect_probe.ts). */
  probe: ((address: string, timeoutMs: number) => Promise<boolean>) | undefined;
}

export function fetchForwarder(options: FetchForwarding): Forward {
  const { timers, traits, fetch: fetchFn, probe } = options;
  const initFields = Object.entries(traits.init);
  const idleMs = traits.bodyIdleMs;

  return async (req, upstream, attempt) => {
    const controller = new AbortController();
    const watch = watchHeaders(
      req,
      timers,
      probe && ((ms) => probe(upstream.address, ms)),
      () => controller.abort(),
    );
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
      const kind = watch.reason ?? (req.signal.aborted ? "aborted" : classifyFetchError(error));
      throw new UpstreamError(kind, upstream.address, { cause: error });
    }
    // The client's signal stays linked: a client that leaves mid-body cancels the upstream.
    watch.stop(false);

    // A small body with a known length is passed through as it is, so the runtime can pipe it
    // natively: it is (nearly) all there with the headers, so neither an idle timer nor body-end
    // tracking has anything to do. Longer and open-ended bodies are watched chunk by chunk,
    // unless the runtime's own idle timer watches them (see fetchTraits). Not even
    // `response.body` is touched then: under Bun that getter builds a JS stream, about 3% of a
    // small request.
    let body: ReadableStream<Uint8Array> | null | undefined;
    if (idleMs > 0 && !isSmall(response.headers)) {
      body = response.body;
      if (body) body = tracked(body, idleMs, () => controller.abort(), attempt.onDone);
      else attempt.onDone?.();
    } else attempt.onDone?.();
    if (body === undefined && traits.responseHeadersMutable) {
      stripHopByHop(response.headers, traits.headerRecord(response.headers));
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
}

function isSmall(headers: Headers): boolean {
  const length = headers.get("content-length");
  return length !== null && Number(length) <= SMALL_BODY_BYTES;
}
