import { assertEquals } from "@std/assert";
import { Pool } from "../../balancer/pool.ts";
import { describeRoute, routesFromGroups, type RouteSpecLike } from "./route_groups.ts";

const prefix = (value: string) => ({
  path: { type: "PathPrefix", value },
  headers: [],
  queryParams: [],
});

const spec = (name: string, hostnames: string[], ...paths: string[]): RouteSpecLike => ({
  name,
  hostnames,
  rules: [{ matches: paths.map(prefix) }],
});

Deno.test("describeRoute() says every request, or the hosts and paths it takes", () => {
  assertEquals(describeRoute(spec("default", [], "/")), "every request");
  assertEquals(
    describeRoute(spec("api", ["api.example"], "/v1/", "/v2")),
    "api.example /v1/*, /v2/*",
  );
  assertEquals(
    describeRoute({
      name: "x",
      hostnames: [],
      rules: [{
        matches: [{
          path: { type: "Exact", value: "/login" },
          method: "POST",
          headers: [],
          queryParams: [],
        }],
      }],
    }),
    "any host /login (with header, query or method matches)",
  );
});

Deno.test("routesFromGroups() puts a route's groups together, each backend once, in spec order", () => {
  const pool = (...addresses: string[]) => {
    const p = new Pool();
    p.update(addresses.map((address) => ({ address })));
    return p;
  };
  const routes = routesFromGroups(
    [
      { route: "web", pool: pool("10.0.0.1:80", "10.0.0.2:80") },
      { route: "api", pool: pool("10.0.1.1:80") },
      { route: "web", pool: pool("10.0.0.2:80", "10.0.0.3:80") },
    ],
    [spec("api", ["api.example"], "/"), spec("web", [], "/"), spec("redirect-only", ["old"], "/")],
  );
  assertEquals(routes.map((r) => [r.name, r.match, r.backends.map((u) => u.address)]), [
    ["api", "api.example /*", ["10.0.1.1:80"]],
    ["web", "every request", ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"]],
    ["redirect-only", "old /*", []],
  ]);
});
