// The parts of a request URL routing reads — host, path, query — found with index arithmetic
// on the string both runtimes hand over (req.url), never by building a URL object.

/**
 * The host a request addressed, as routes compare it: lowercase, without the port and without a
 * trailing dot (`SHOP.example.com.:8080` → `shop.example.com`). An IPv6 literal keeps its
 * brackets. Empty when the URL carries no authority (Bun's `req.url` for an HTTP/1.0 request
 * without Host is `/path`).
 */
export function hostOf(url: string): string {
  const scheme = url.indexOf("//");
  if (scheme === -1 || scheme > 6) return "";
  const start = scheme + 2;
  let end = url.indexOf("/", start);
  if (end === -1) end = url.length;
  let host: string;
  if (url.charCodeAt(start) === 91 /* [ */) {
    const close = url.indexOf("]", start);
    host = url.slice(start, close === -1 || close > end ? end : close + 1);
  } else {
    const colon = url.indexOf(":", start);
    host = url.slice(start, colon === -1 || colon > end ? end : colon);
  }
  return normalizeHost(host);
}

/** Lowercase, without one trailing dot: hostnames compare case-insensitively (RFC 4343). */
export function normalizeHost(host: string): string {
  const trimmed = host.endsWith(".") ? host.slice(0, -1) : host;
  // Most hosts are lowercase already: skip the copy.
  return /[A-Z]/.test(trimmed) ? trimmed.toLowerCase() : trimmed;
}

/** The port a URL's authority names, or undefined (`http://a:8080/` → 8080). */
export function portOf(url: string): number | undefined {
  const scheme = url.indexOf("//");
  if (scheme === -1 || scheme > 6) return undefined;
  const start = scheme + 2;
  let end = url.indexOf("/", start);
  if (end === -1) end = url.length;
  const close = url.charCodeAt(start) === 91 ? url.indexOf("]", start) : start;
  const colon = url.indexOf(":", close);
  if (colon === -1 || colon > end) return undefined;
  const port = Number(url.slice(colon + 1, end));
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/** Where the path starts in `url` (its first `/` after the authority); -1 for none. */
function pathStart(url: string): number {
  const scheme = url.indexOf("//");
  if (scheme === -1 || scheme > 6) return url.startsWith("/") ? 0 : -1;
  return url.indexOf("/", scheme + 2);
}

/** The path without its query: `/` when the URL has none. */
export function pathOf(url: string): string {
  const start = pathStart(url);
  if (start === -1) return "/";
  const query = url.indexOf("?", start);
  return query === -1 ? url.slice(start) : url.slice(start, query);
}

/** The query without its `?`, or "" when there is none. */
export function queryOf(url: string): string {
  const start = pathStart(url);
  if (start === -1) return "";
  const query = url.indexOf("?", start);
  if (query === -1) return "";
  const hash = url.indexOf("#", query);
  return hash === -1 ? url.slice(query + 1) : url.slice(query + 1, hash);
}

/** A segment the URL Standard reads as `.` or `..`: `%2e` (any case) counts as a dot. */
const DOT_SEGMENT = /\/(?:\.|%2e)(?:\.|%2e)?(?:\/|$)/i;

/** 1 for a single-dot segment, 2 for a double-dot one, 0 for any other. */
function dots(segment: string): number {
  if (segment.length > 6 || !DOT_SEGMENT.test(`/${segment}`)) return 0;
  return segment.replace(/%2e/gi, ".").length;
}

/**
 * The path with `.` and `..` segments resolved (RFC 3986 §5.2.4), so a route decides on the
 * path the backend will resolve (Deno hands `/a/../b` over as sent; Bun resolves it). `%2e`
 * counts as a dot, as the URL Standard's parser (`new URL`, both runtimes) reads it:
 * `/public/%2e%2e/admin` is `/admin`. Paths without a dot segment, nearly all, come back as
 * they are.
 */
export function withoutDotSegments(path: string): string {
  if (!DOT_SEGMENT.test(path)) return path;
  const out: string[] = [];
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    const kind = dots(segment);
    if (kind === 1) {
      if (last) out.push("");
    } else if (kind === 2) {
      out.pop();
      if (last) out.push("");
    } else out.push(segment);
  }
  return "/" + out.join("/");
}
