// Errors the proxy answers with a status of its own, and how a failed fetch is classified.

export type UpstreamErrorKind = "connect" | "timeout" | "reset" | "aborted" | "other";

/** A backend could not be reached or failed mid-way: 502 (504 for a timeout). */
export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  readonly backend: string;
  constructor(kind: UpstreamErrorKind, backend: string, options?: { cause?: unknown }) {
    super(`upstream ${backend}: ${kind} error`, options);
    this.name = "UpstreamError";
    this.kind = kind;
    this.backend = backend;
  }
  get status(): number {
    return this.kind === "timeout" ? 504 : 502;
  }
}

/** Sorts what fetch threw into the kinds both runtimes share. */
export function classifyFetchError(error: unknown): UpstreamErrorKind {
  const e = error as { name?: string; code?: string; message?: string; cause?: unknown };
  if (e?.name === "TimeoutError") return "timeout";
  if (e?.name === "AbortError") return "aborted";
  const text = `${e?.code ?? ""} ${e?.message ?? ""} ${describeCause(e?.cause)}`;
  // Bun: e.code === "ECONNREFUSED"; Deno: TypeError whose message mentions "client error (Connect)".
  if (
    /ECONNREFUSED|ConnectionRefused|client error \(Connect\)|Connection refused|EHOSTUNREACH|ENETUNREACH|FailedToOpenSocket/i
      .test(text)
  ) {
    return "connect";
  }
  if (
    /ECONNRESET|connection reset|ConnectionClosed|socket hang up|closed unexpectedly|EPIPE/i.test(
      text,
    )
  ) return "reset";
  return "other";
}

function describeCause(cause: unknown): string {
  if (!cause) return "";
  const c = cause as { code?: string; message?: string };
  return `${c.code ?? ""} ${c.message ?? String(cause)}`;
}

/** A JSON error response; the proxy's own errors always look like this. */
export function errorResponse(
  status: number,
  error: string,
  extra: Record<string, unknown> = {},
): Response {
  return new Response(JSON.stringify({ error, status, ...extra }), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * 400 for a request whose framing is ambiguous or that cannot be forwarded with its body (see
 * framing.ts). The client connection is closed after it: what follows on it cannot be trusted.
 */
export function framingError(reason: string): Response {
  const res = errorResponse(400, "bad request framing", { reason });
  res.headers.set("connection", "close");
  return res;
}

/** 431 for a request head over the configured limits (see head_limits.ts); the connection closes. */
export function headLimitsError(reason: string): Response {
  const res = errorResponse(431, "request header fields too large", { reason });
  res.headers.set("connection", "close");
  return res;
}

/** 408 for a request whose body stalled (see body_timeout.ts); the connection closes. */
export function bodyTimeoutError(idleMs: number): Response {
  const res = errorResponse(408, "request body timed out", {
    reason: `the client sent no body bytes for ${idleMs} ms`,
  });
  res.headers.set("connection", "close");
  return res;
}
