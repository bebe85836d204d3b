// Hostile requests against host and path routes, shared by the in-process (Deno) and the binary
// (Bun) suites: one config where a route is a security boundary (`/admin` on shop.example.com
// goes to an internal backend, admin.example.com is a host of its own), and the bytes that try to
// reach a backend other than the one their path and host name, with what a client must see.
import { rawRequest } from "./raw_http.ts";
import type { RouteBackend, Seen } from "./route_backends.ts";

export type Runtime = "deno" | "bun";

export const BACKEND_NAMES = ["public", "internal", "admin", "wild", "fallback", "rewritten"];

/** The config file (JSON is YAML) the scenarios run against. */
export function attackConfig(
  backends: Record<string, RouteBackend>,
  { upstreamClient = "http1" }: { upstreamClient?: "http1" | "fetch" } = {},
): string {
  const at = (name: string) => [backends[name]!.address];
  return JSON.stringify({
    port: 0,
    hostname: "127.0.0.1",
    accessLog: false,
    upstreamClient,
    routes: [
      {
        name: "shop",
        hostnames: ["shop.example.com"],
        rules: [
          {
            matches: [
              { path: { type: "PathPrefix", value: "/admin" } },
              { path: { type: "Exact", value: "/caf%C3%A9" } },
            ],
            backendRefs: [{ addresses: at("internal") }],
          },
          {
            matches: [{ path: { value: "/" }, headers: [{ name: "X-Canary", value: "on" }] }],
            backendRefs: [{ addresses: at("internal") }],
          },
          { backendRefs: [{ addresses: at("public") }] },
        ],
      },
      {
        name: "admin",
        hostnames: ["admin.example.com"],
        rules: [{ backendRefs: [{ addresses: at("admin") }] }],
      },
      {
        name: "wild",
        hostnames: ["*.example.com"],
        rules: [{ backendRefs: [{ addresses: at("wild") }] }],
      },
      {
        name: "rewrite",
        hostnames: ["rw.example.com"],
        rules: [{
          matches: [{ path: { type: "PathPrefix", value: "/api" } }],
          filters: [{
            type: "URLRewrite",
            urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } },
          }],
          backendRefs: [{ addresses: at("rewritten") }],
        }],
      },
      {
        name: "redirect",
        hostnames: ["redir.example.com"],
        rules: [{
          filters: [{ type: "RequestRedirect", requestRedirect: { statusCode: 302 } }],
        }],
      },
      {
        name: "moved",
        rules: [{
          matches: [{ path: { type: "PathPrefix", value: "/moved" } }],
          filters: [{
            type: "RequestRedirect",
            requestRedirect: {
              path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/new" },
              statusCode: 301,
            },
          }],
        }, {
          matches: [{ path: { type: "PathPrefix", value: "/secure" } }],
          filters: [{
            type: "RequestRedirect",
            requestRedirect: { scheme: "https", statusCode: 301 },
          }],
        }],
      },
      { name: "fallback", rules: [{ backendRefs: [{ addresses: at("fallback") }] }] },
    ],
  });
}

export interface Scenario {
  readonly name: string;
  /** Request line and header lines, CRLF-joined, without the blank line. */
  readonly head: string;
  readonly status: number | Partial<Record<Runtime, number>>;
  /** Which backend must answer (by runtime when they differ); omitted for no backend. */
  readonly backend?: string | Partial<Record<Runtime, string>>;
  /** The path and query that backend must see (new URL(req.url) of what reached it). */
  readonly path?: string;
  /** A response header that must be exactly this. */
  readonly location?: string;
  /** A bug outside the routes that still breaks the scenario there ("deno-http1", "bun"). */
  readonly knownBug?: Partial<Record<Carrier, string>>;
}

/** Where a scenario runs: the runtime, and on Deno the upstream client. */
export type Carrier = "deno-http1" | "deno-fetch" | "bun";

/** Each scenario names the bug it caught, when it caught one. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: "baseline: /admin on shop.example.com reaches the internal backend",
    head: "GET /admin/x HTTP/1.1\r\nHost: shop.example.com",
    status: 200,
    backend: "internal",
    path: "/admin/x",
  },
  {
    name: "a fragment cannot hide /admin: /admin#/../pub was routed as /pub (fetch drops #)",
    head: "GET /admin#/../pub HTTP/1.1\r\nHost: shop.example.com",
    status: 200,
    backend: "internal",
    path: "/admin",
  },
  {
    name: "percent-encoded unreserved characters: /%61dmin is /admin",
    head: "GET /%61dmin/x HTTP/1.1\r\nHost: shop.example.com",
    status: 200,
    backend: "internal",
  },
  {
    name: "backslashes are slashes: /a\\..\\admin is /admin (Deno handed it over raw)",
    head: "GET /a\\..\\admin/x HTTP/1.1\r\nHost: shop.example.com",
    status: 200,
    backend: "internal",
    path: "/admin/x",
  },
  {
    name: "merged slashes: //admin is /admin",
    head: "GET //admin/x HTTP/1.1\r\nHost: shop.example.com",
    status: 200,
    backend: "internal",
  },
  {
    name: "%2e%2e is .., whatever the case",
    head: "GET /pub/%2E./admin/x HTTP/1.1\r\nHost: shop.example.com",
    status: 200,
    backend: "internal",
    path: "/admin/x",
  },
  {
    name: "raw UTF-8 matches the percent-encoded Exact path (Deno handed /café over unencoded)",
    head: "GET /caf\u00e9 HTTP/1.1\r\nHost: shop.example.com", // é in UTF-8 on the wire
    status: 200,
    backend: "internal",
    path: "/caf%C3%A9",
  },
  {
    name: "lowercase hex matches the uppercase Exact path",
    head: "GET /caf%c3%a9 HTTP/1.1\r\nHost: shop.example.com",
    status: 200,
    backend: "internal",
  },
  // Not host[:port], so 400 (RFC 9112 §3.2); before that check they reached the no-hostname
  // route, and Deno had read `a:80@shop` as host `shop`.
  {
    name: "a Host with userinfo is refused (Deno read a:80@shop as shop)",
    head: "GET /x HTTP/1.1\r\nHost: admin.example.com:80@shop.example.com",
    status: 400,
  },
  {
    name: "a Host with userinfo is refused, not matched to a wildcard by its suffix",
    head: "GET /x HTTP/1.1\r\nHost: x@a.example.com",
    status: 400,
  },
  {
    name: "a Host with a path is refused",
    head: "GET /x HTTP/1.1\r\nHost: admin.example.com/x",
    status: 400,
  },
  {
    name:
      "absolute form: a target naming admin.example.com with Host shop.example.com never reaches admin (Deno routed by the target, Bun by Host; Host went upstream)",
    head: "GET http://admin.example.com/x HTTP/1.1\r\nHost: shop.example.com",
    status: 200,
    backend: { deno: "fallback", bun: "public" },
    path: "/x",
  },
  {
    name: "absolute form that agrees with Host routes by that host",
    head: "GET http://admin.example.com/x HTTP/1.1\r\nHost: admin.example.com",
    status: 200,
    backend: "admin",
  },
  {
    name: "two Host fields are refused",
    head: "GET /x HTTP/1.1\r\nHost: shop.example.com\r\nHost: admin.example.com",
    status: 400,
  },
  {
    name: "an empty Host reaches only routes without hostnames",
    head: "GET /x HTTP/1.1\r\nHost: ",
    status: 200,
    backend: "fallback",
  },
  {
    name: "a redirect with an empty Host is a path reference, not http:///new/a",
    head: "GET /moved/a?x=1 HTTP/1.1\r\nHost: ",
    status: 301,
    location: "/new/a?x=1",
  },
  {
    name: "a redirect to https with an empty Host has no Location to give: 400",
    head: "GET /secure HTTP/1.1\r\nHost: ",
    status: 400,
  },
  {
    name: "a redirect keeps the request's Host when it has one",
    head: "GET /moved/a HTTP/1.1\r\nHost: other.example:8080",
    status: 301,
    location: "http://other.example:8080/new/a",
  },
  {
    name: "uppercase, a trailing dot and a port are the same host",
    head: "GET /admin HTTP/1.1\r\nHost: SHOP.Example.COM.:8080",
    status: 200,
    backend: "internal",
  },
  {
    name: "an IPv6 literal Host reaches only routes without hostnames",
    head: "GET /x HTTP/1.1\r\nHost: [::1]:8080",
    status: 200,
    backend: "fallback",
  },
  {
    name: "a repeated X-Canary arrives joined and does not match the canary's exact value",
    head: "GET /x HTTP/1.1\r\nHost: shop.example.com\r\nX-Canary: on\r\nX-Canary: on",
    status: 200,
    backend: "public",
  },
  {
    name: "header names match in any case",
    head: "GET /x HTTP/1.1\r\nHost: shop.example.com\r\nx-CANARY: on",
    status: 200,
    backend: "internal",
  },
  {
    name: "ReplacePrefixMatch keeps the query and makes no //",
    head: "GET /api//v1?a=1&a=2 HTTP/1.1\r\nHost: rw.example.com",
    status: 200,
    backend: "rewritten",
    path: "/v1?a=1&a=2",
  },
  {
    name: "a redirect keeps CR LF percent-encoded and writes one authority",
    head: "GET //evil.example/%0d%0aSet-Cookie:%20a=b HTTP/1.1\r\nHost: redir.example.com",
    status: 302,
    // Escapes come back in canonical (uppercase) form: the same bytes to every URL parser.
    location: "http://redir.example.com/evil.example/%0D%0ASet-Cookie:%20a=b",
  },
  {
    name: "a long path is routed, not a 500",
    head: `GET /admin/${"a/".repeat(3000)} HTTP/1.1\r\nHost: shop.example.com`,
    status: 200,
    backend: "internal",
  },
];

export interface Outcome {
  status: number;
  backend: string | undefined;
  seen: Seen | undefined;
  location: string | undefined;
  setCookie: string | undefined;
}

/** Sends a scenario's head (UTF-8 on the wire) and reads the answer. */
export async function send(port: number, head: string): Promise<Outcome> {
  const res = await rawRequest(port, `${head}\r\nConnection: close`);
  let seen: Seen | undefined;
  try {
    const parsed = JSON.parse(res.text());
    if (parsed && typeof parsed === "object" && "name" in parsed) seen = parsed;
  } catch {
    seen = undefined;
  }
  return {
    status: res.status,
    backend: seen?.name,
    seen,
    location: res.header("location"),
    setCookie: res.header("set-cookie"),
  };
}

export function expected<T>(value: T | Partial<Record<Runtime, T>>, runtime: Runtime): T {
  if (value !== null && typeof value === "object") {
    return (value as Partial<Record<Runtime, T>>)[runtime] as T;
  }
  return value as T;
}

/** A backend that keeps the bytes of each request head it gets and answers 200 `ok`. */
export interface CaptureBackend {
  readonly address: string;
  /** The request heads received so far, as latin1 text (one character a byte). */
  readonly heads: string[];
  close(): void;
}

export function startCaptureBackend(): CaptureBackend {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const heads: string[] = [];
  (async () => {
    for await (const conn of listener) {
      (async () => {
        const buf = new Uint8Array(65536);
        let text = "";
        try {
          while (!text.includes("\r\n\r\n")) {
            const n = await conn.read(buf);
            if (n === null) break;
            for (let i = 0; i < n; i++) text += String.fromCharCode(buf[i]!);
          }
          heads.push(text);
          await conn.write(
            new TextEncoder().encode(
              "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
            ),
          );
        } catch { /* the proxy went away */ }
        try {
          conn.close();
        } catch { /* closed */ }
      })();
    }
  })().catch(() => {});
  return {
    address: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    heads,
    close: () => listener.close(),
  };
}

/**
 * A request line whose path holds U+010D U+010A (UTF-8 on the wire): a client sends no CR or LF
 * byte, but a head encoder that keeps only the low byte of each character writes CR LF and an
 * X-Injected field into the backend's request.
 */
export const INJECTING_HEAD =
  "GET /a\u0120HTTP/1.1\u010d\u010aX-Injected:\u01201\u010d\u010aX-Pad:\u0120 HTTP/1.1\r\nHost: shop.example.com";

/** A route that rewrites /chat to /ws and sets X-User-Role, in front of `address`: a WebSocket
 * upgrade must get both, as any request does. */
export function chatRoutes(address: string): unknown[] {
  return [{
    name: "chat",
    hostnames: ["podgate.test"],
    rules: [{
      matches: [{ path: { type: "PathPrefix", value: "/chat" } }],
      filters: [
        {
          type: "URLRewrite",
          urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/ws" } },
        },
        {
          type: "RequestHeaderModifier",
          requestHeaderModifier: { set: [{ name: "X-User-Role", value: "anonymous" }] },
        },
      ],
      backendRefs: [{ addresses: [address] }],
    }],
  }];
}
