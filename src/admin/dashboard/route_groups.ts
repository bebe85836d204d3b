// The dashboard's routes from the proxy's routing state: its backend groups (one per backendRef
// of each rule) put together by route, each backend once, and what the route matches in words.
// Structural types, so the dashboard does not depend on the proxy's routing modules.
import type { Upstream } from "../../balancer/upstream.ts";
import type { DashboardRoute } from "./dashboard.ts";

export interface GroupLike {
  readonly route: string;
  readonly pool: { all(): readonly Upstream[] };
}

export interface RouteSpecLike {
  readonly name: string;
  readonly hostnames: readonly string[];
  readonly rules: readonly {
    readonly matches: readonly {
      readonly path: { readonly type: string; readonly value: string };
      readonly method?: string | undefined;
      readonly headers: readonly unknown[];
      readonly queryParams: readonly unknown[];
    }[];
  }[];
}

/** A route's matches in words: "every request", or hosts and paths ("api.example /v1*"). */
export function describeRoute(spec: RouteSpecLike): string {
  const matches = spec.rules.flatMap((r) => r.matches);
  const conditional = matches.some((m) =>
    m.method !== undefined || m.headers.length > 0 || m.queryParams.length > 0
  );
  const paths = [
    ...new Set(
      matches.map((m) =>
        m.path.type === "PathPrefix"
          ? m.path.value === "/" ? "/*" : `${m.path.value.replace(/\/$/, "")}/*`
          : m.path.type === "Exact"
          ? m.path.value
          : `~${m.path.value}`
      ),
    ),
  ];
  if (spec.hostnames.length === 0 && !conditional && paths.every((p) => p === "/*")) {
    return "every request";
  }
  const hosts = spec.hostnames.length > 0 ? spec.hostnames.join(", ") : "any host";
  return `${hosts} ${paths.join(", ")}${
    conditional ? " (with header, query or method matches)" : ""
  }`;
}

/** One dashboard route per route name, in `specs` order (then any group's route not in them). */
export function routesFromGroups(
  groups: readonly GroupLike[],
  specs: readonly RouteSpecLike[] = [],
): DashboardRoute[] {
  const byRoute = new Map<string, { match: string; backends: Map<string, Upstream> }>();
  for (const spec of specs) {
    byRoute.set(spec.name, { match: describeRoute(spec), backends: new Map() });
  }
  for (const group of groups) {
    let route = byRoute.get(group.route);
    if (route === undefined) {
      route = { match: "every request", backends: new Map() };
      byRoute.set(group.route, route);
    }
    // The same address in two backendRefs of a route is one row: its counters are per address.
    for (const u of group.pool.all()) {
      if (!route.backends.has(u.address)) route.backends.set(u.address, u);
    }
  }
  return [...byRoute].map(([name, { match, backends }]) => ({
    name,
    match,
    backends: [...backends.values()],
  }));
}
