// Whether a failed attempt may be tried again on another backend. Safe means the request cannot
// take effect twice: a connect failure sent nothing; otherwise only idempotent methods, and never
// once the request body has gone upstream (it cannot be sent again) or the client has left.

/** The methods RFC 9110 defines as idempotent. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "OPTIONS",
  "PUT",
  "DELETE",
  "TRACE",
]);

/** Responses that say the backend did not handle the request (a gateway or overload answer). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export interface AttemptContext {
  method: string;
  /** True once any byte of the request body may have been sent upstream. */
  bodyStreamed?: boolean;
  /** True when the client has gone: nobody would read the answer. */
  clientGone?: boolean;
}

/**
 * @param failure `connect` (no connection was made), `timeout` (no response headers within the
 * per-try timeout) or the status of the response the backend gave.
 */
export function isRetryable(
  failure: "connect" | "timeout" | number,
  { method, bodyStreamed = false, clientGone = false }: AttemptContext,
): boolean {
  if (clientGone || bodyStreamed) return false;
  if (failure === "connect") return true;
  if (!IDEMPOTENT_METHODS.has(method.toUpperCase())) return false;
  return failure === "timeout" || RETRYABLE_STATUSES.has(failure);
}
