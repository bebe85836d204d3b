// The proxy's front door: its own routes (the small Hono admin app) unless they live on the admin
// port, and everything else straight to the request path — the router is not on the hot path.
import type { Hono } from "hono";
import { ADMIN_PATHS } from "../admin/routes.ts";
import { errorResponse } from "./errors.ts";
import type { ProxyHandler } from "./handler.ts";

export type FrontDoor = (req: Request, clientIp: string) => Promise<Response>;

/** The path of a request URL without its query, without building a URL object. */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const query = url.indexOf("?", start);
  return query === -1 ? url.slice(start) : url.slice(start, query);
}

export function frontDoor(
  proxy: ProxyHandler,
  admin: Hono | undefined,
  onError: (error: unknown) => void,
): FrontDoor {
  const fail = (error: unknown) => {
    onError(error);
    return errorResponse(500, "internal error");
  };
  return async (req, clientIp) => {
    if (
      admin && (req.method === "GET" || req.method === "HEAD") && ADMIN_PATHS.has(pathOf(req.url))
    ) {
      return await admin.fetch(req);
    }
    try {
      return await proxy(req, clientIp);
    } catch (error) {
      return fail(error);
    }
  };
}
