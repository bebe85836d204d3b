// How fetch serves as a proxy's upstream client on the runtime at hand, decided once at start-up
// from the runtime's own facts, so that the transport takes the decisions and not the facts.
import type { Runtime } from "./types.ts";

/** See fetchTraits. */
export interface FetchTraits {
  /**
   * RequestInit fields every upstream fetch carries: no decompression, the client's Host kept,
   * and the runtime's own idle timer where it keeps the configured idle timeout.
   */
  readonly init: Readonly<Record<string, unknown>>;
  /** The idle timeout podgate must watch on fetch's bodies itself (0: the runtime's timer does). */
  readonly bodyIdleMs: number;
  /** The Accept-Encoding to send upstream given the client's. */
  acceptEncoding(clientValue: string | null): string | null;
  /** A plain-object copy of `headers` with lowercase names. */
  headerRecord(headers: Headers): Record<string, string>;
  /** fetch's Response may be handed back with its headers edited (Bun), not copied (Deno). */
  readonly responseHeadersMutable: boolean;
  /** A failed fetch leaves an unsent body stream untouched (see Runtime.fetchKeepsUnsentBody). */
  readonly keepsUnsentBody: boolean;
}

/**
 * The fetch traits for a proxy whose upstream idle timeout is `idleTimeoutMs` (0: none). A long
 * timeout is left to the runtime's fetch where it has a timer of its own: it costs nothing per
 * chunk, so bodies are piped natively (a JS-visible stream halves a 1 MiB body's throughput
 * under Bun), and in-flight then counts to the response headers, not to the end of the body.
 */
export function fetchTraits(runtime: Runtime, idleTimeoutMs: number): FetchTraits {
  const native = runtime.fetchIdleTimeout;
  const useNative = native !== undefined && idleTimeoutMs > 0 && idleTimeoutMs >= native.minMs;
  return {
    init: Object.freeze(
      useNative
        ? { ...runtime.proxyInit, ...native.init(idleTimeoutMs) }
        : { ...runtime.proxyInit },
    ),
    bodyIdleMs: useNative ? 0 : idleTimeoutMs,
    acceptEncoding: runtime.upstreamAcceptEncoding,
    headerRecord: runtime.headerRecord ?? copyHeaders,
    responseHeadersMutable: runtime.fetchResponseHeadersMutable,
    keepsUnsentBody: runtime.fetchKeepsUnsentBody,
  };
}

function copyHeaders(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}
