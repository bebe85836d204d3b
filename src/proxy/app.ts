// The proxy's Hono app: its own routes first (unless they live on the admin port), then
// everything else is forwarded.
import { Hono } from "hono";
import { errorResponse } from "./errors.ts";
import type { ProxyHandler } from "./handler.ts";

export interface Bindings {
  clientIp: string;
}

export function proxyApp(
  proxy: ProxyHandler,
  admin: Hono | undefined,
  onError: (error: unknown) => void,
): Hono<{ Bindings: Bindings }> {
  const app = new Hono<{ Bindings: Bindings }>();
  if (admin) app.route("/", admin);
  app.all("*", (c) => proxy(c.req.raw, c.env?.clientIp ?? ""));
  app.onError((error) => {
    onError(error);
    return errorResponse(500, "internal error");
  });
  return app;
}
