// The proxy's front door: its own routes (the small Hono admin app) unless they live on the admin
// port, and everything else straight to the request path — the router is not on the hot path.
import type { Hono } from "hono";
import { ADMIN_PATHS } from "../admin/routes.ts";
import type { ProxyHandler } from "./handler.ts";

export type FrontDoor = (req: Request, clientIp: string) => Promise<Response>;

// The path without query or fragment; Bun's relative URL (a request without Host) included.
export { pathOf } from "../routes/request_target.ts";
import { pathOf } from "../routes/request_target.ts";

export function frontDoor(proxy: ProxyHandler, admin: Hono | undefined): FrontDoor {
  // Not an async function: the request path answers its own errors (see createProxyHandler), so
  // a wrapper here would only add a promise and a tick to every request.
  if (!admin) return proxy;
  return (req, clientIp) =>
    (req.method === "GET" || req.method === "HEAD") && ADMIN_PATHS.has(pathOf(req.url))
      ? Promise.resolve(admin.fetch(req))
      : proxy(req, clientIp);
}
