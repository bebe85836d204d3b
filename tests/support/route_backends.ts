// Backends for route tests: each answers every path with its own name, the path and query it
// got, and the headers that reached it, so a test sees which route, which backendRef and which
// filters a request went through.
import { runtime } from "../../src/runtime/mod.ts";
import type { RunningServer } from "../../src/runtime/mod.ts";
import { rawRequest } from "./raw_http.ts";

export interface Seen {
  name: string;
  path: string;
  host: string;
  headers: Record<string, string>;
}

export interface RouteBackend {
  readonly name: string;
  readonly address: string;
  close(): Promise<void>;
}

export async function startRouteBackend(name: string): Promise<RouteBackend> {
  const server: RunningServer = await runtime.serve((req) => {
    const url = new URL(req.url);
    const seen: Seen = {
      name,
      path: url.pathname + url.search,
      host: req.headers.get("host") ?? "",
      headers: Object.fromEntries(req.headers),
    };
    return Response.json(seen, { headers: { "x-backend": name, server: "route-backend" } });
  }, { port: 0, hostname: "127.0.0.1" });
  return {
    name,
    address: `127.0.0.1:${server.port}`,
    close: () => server.close(),
  };
}

export async function startRouteBackends(names: string[]): Promise<RouteBackend[]> {
  return await Promise.all(names.map(startRouteBackend));
}

/** A request to the proxy with a Host header of the test's choosing (fetch cannot set Host). */
export async function getVia(
  port: number,
  host: string,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; header(name: string): string | undefined; seen: Seen | undefined }> {
  const extra = Object.entries(headers).map(([k, v]) => `\r\n${k}: ${v}`).join("");
  const res = await rawRequest(
    port,
    `${method} ${path} HTTP/1.1\r\nHost: ${host}${extra}\r\nConnection: close`,
  );
  let seen: Seen | undefined;
  try {
    const parsed = JSON.parse(res.text());
    if (parsed && typeof parsed === "object" && "name" in parsed && "path" in parsed) seen = parsed;
  } catch {
    seen = undefined;
  }
  return { status: res.status, header: (name) => res.header(name), seen };
}
