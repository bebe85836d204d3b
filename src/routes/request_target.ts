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

/**
 * The path without its query or fragment: `/` when the URL has none. A `#` ends the path even
 * though no request should carry one: both runtimes hand it over in req.url and fetch drops it
 * on the way upstream, so `/admin#/../pub` reaches the backend as `/admin`.
 */
export function pathOf(url: string): string {
  const start = pathStart(url);
  if (start === -1) return "/";
  let end = url.indexOf("?", start);
  const hash = url.indexOf("#", start);
  if (hash !== -1 && (end === -1 || hash < end)) end = hash;
  return end === -1 ? url.slice(start) : url.slice(start, end);
}

/** A Host field value as RFC 9110 §7.2 has it: a reg-name or IP literal and an optional port. */
const HOST_FIELD = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::[0-9]{1,5})?$/;

/** Whether a Host field value is a plain `host[:port]`, the only kind routes compare. */
export function isPlainHost(value: string): boolean {
  return HOST_FIELD.test(value);
}

/**
 * The host routes compare for a request (as hostOf), read from the Host field the backend will
 * get, and "" when that field is not a plain `host[:port]` (userinfo, `/`, `?`, spaces, …) or
 * when the URL names another host (an absolute-form target on Deno, whose Host field still goes
 * upstream): such a request matches no route hostname, only routes without one. Deno builds
 * req.url by pasting the Host field in unchecked (`a:1@admin.example.com` read as
 * `admin.example.com`), Bun drops to a relative URL; the field itself is the same on both.
 * Without a Host field, the URL's authority.
 */
export function requestHost(url: string, hostField: string | null): string {
  if (hostField === null) return hostOf(url);
  if (!isPlainHost(hostField)) return "";
  const host = hostOf(`http://${hostField}/`);
  const fromUrl = hostOf(url);
  return fromUrl === "" || fromUrl === host ? host : "";
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

/** The query with its `?`, or "" when there is none (as a rewritten path or a Location takes it). */
export function querySuffix(url: string): string {
  const query = queryOf(url);
  return query === "" ? "" : `?${query}`;
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

/** Characters a path keeps as they are: RFC 3986's pchar, and `%` (escapes are left alone). */
const PLAIN_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
const encoder = new TextEncoder();
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const HEX = /^[0-9A-Fa-f]{2}$/;

function percentEncoded(char: string): string {
  let out = "";
  for (const byte of encoder.encode(char)) {
    out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * The path routes decide on, in the spelling a backend reads it in, so a route cannot be
 * stepped around by writing its path another way: a character outside RFC 3986's pchar (raw
 * UTF-8, `"`, `<`, … which Deno hands over as sent and Bun and fetch percent-encode)
 * percent-encoded in UTF-8, `\` read as `/` (as the URL Standard reads it for http), runs of
 * `/` merged (nginx and Envoy Gateway merge them), then dot segments resolved. Escapes stay as
 * written (`%2F` is a character of a segment): decoding those of unreserved characters needs
 * the table's path index to see the same spelling (see the report of routes_attack_test.ts).
 * Paths already in that form, nearly all, come back as they are.
 */
export function routingPath(path: string): string {
  if (PLAIN_PATH.test(path) && !path.includes("//") && !path.includes("%")) {
    return withoutDotSegments(path);
  }
  let out = "";
  for (let i = 0; i < path.length; i++) {
    const char = path[i]!;
    if (char === "%" && HEX.test(path.slice(i + 1, i + 3))) {
      const hex = path.slice(i + 1, i + 3);
      const decoded = String.fromCharCode(parseInt(hex, 16));
      out += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
      i += 2;
    } else if (char === "\\") out += "/";
    else if (PLAIN_PATH.test(char)) out += char;
    else {
      const whole = path.codePointAt(i)! > 0xffff ? path.slice(i, i + 2) : char;
      out += percentEncoded(whole);
      i += whole.length - 1;
    }
  }
  return withoutDotSegments(out.replace(/\/{2,}/g, "/"));
}
