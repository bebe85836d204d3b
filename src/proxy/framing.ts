// Request framing (RFC 9112 §6, RFC 9110 §8.6): the one place that decides, from the request's
// method and framing headers alone, whether it has a body and how that body is delimited, or
// that it must be refused. It runs before any backend or client is chosen, and every client
// takes its verdict, so no request can reach an upstream with framing the upstream reads
// differently from podgate.
//
// The runtime's server (Bun.serve, Deno.serve) has parsed the bytes already: it refuses bare CR,
// NUL, obs-fold and malformed chunked bodies itself, and a Headers object cannot hold CR, LF or
// NUL. What reaches podgate can still be ambiguous in ways a server lets through, and those are
// refused here: see the README's "Request framing" table for which layer enforces what.

/** How a request's body is delimited, or why it is refused. */
export type RequestFraming =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" }
  | { readonly kind: "reject"; readonly reason: string };

const NONE: RequestFraming = Object.freeze({ kind: "none" });
const CHUNKED: RequestFraming = Object.freeze({ kind: "chunked" });

// A body on these cannot be forwarded: the runtime's Request holds none (Bun.serve and
// Deno.serve read it off the connection and drop it, req.body is null) and fetch refuses one.
// Sent on without it, its framing header would make the backend read the next request as
// that body; sent on without the header, the body would be lost. So it is refused.
const BODYLESS_METHODS = new Set(["GET", "HEAD"]);

/**
 * RFC 9110 §7.2's Host = uri-host [ ":" port ], with RFC 3986's uri-host: an IP literal, or a
 * reg-name (unreserved, pct-encoded and sub-delims characters; the comma, a sub-delim, never
 * reaches here) that may be empty. The value as Headers gives it, its outer whitespace trimmed.
 */
const HOST_SYNTAX =
  /^(?:\[[0-9A-Za-z:.~!$&'()*+;=_%-]+\]|(?:[A-Za-z0-9._~!$&'()*+;=-]|%[0-9A-Fa-f]{2})*)(?::[0-9]*)?$/;

/** The longest Content-Length podgate accepts: 15 digits keep it an exact integer. */
const MAX_LENGTH_DIGITS = 15;

/**
 * The framing of a request with this method and these header values, as the Headers object
 * gives them (a repeated field arrives joined by ", ").
 */
export function requestFraming(
  method: string,
  contentLength: string | null,
  transferEncoding: string | null,
  host: string | null = null,
): RequestFraming {
  // Two Host fields arrive joined by ", ", and no valid Host value holds a comma (RFC 9112 §3.2:
  // 400 for more than one). Bun.serve lets them through; which one would a backend route by?
  if (host !== null && host.includes(",")) return reject("Host is repeated");
  // One with an invalid value is refused too (the same section): forwarded, a backend would read
  // a different host from `a b`, `a/b` or `user@a` than the one routes were matched against.
  if (host !== null && !HOST_SYNTAX.test(host)) {
    return reject(`Host is not a host[:port]: ${quote(host)}`);
  }
  if (transferEncoding !== null) {
    if (contentLength !== null) {
      return reject("both Content-Length and Transfer-Encoding are present");
    }
    if (transferEncoding.trim().toLowerCase() !== "chunked") {
      return reject(`Transfer-Encoding must be exactly "chunked", not ${quote(transferEncoding)}`);
    }
    if (BODYLESS_METHODS.has(method)) return reject(`a ${method} request cannot carry a body`);
    return CHUNKED;
  }
  if (contentLength === null) return NONE;
  const length = plainDigits(contentLength);
  if (length < 0) {
    return reject(
      contentLength.includes(",")
        ? "Content-Length is repeated"
        : `Content-Length must be plain digits, not ${quote(contentLength)}`,
    );
  }
  if (length === 0) return NONE;
  if (BODYLESS_METHODS.has(method)) return reject(`a ${method} request cannot carry a body`);
  return { kind: "length", length };
}

/** The value as a whole number when it is 1–15 ASCII digits, else -1. */
function plainDigits(value: string): number {
  if (value.length === 0 || value.length > MAX_LENGTH_DIGITS) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function reject(reason: string): RequestFraming {
  return { kind: "reject", reason };
}

function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? value.slice(0, 64) + "…" : value);
}
