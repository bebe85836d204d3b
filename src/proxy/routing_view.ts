// The routing state as the admin side shows it: /debug/routes (the table as the proxy sees it,
// each backendRef with its group and backends), the per-route part of /info, readiness over every
// group. Read only, off the request path.
import type { BackendGroup } from "../balancer/backend_group.ts";
import { upstreamState } from "../balancer/upstream.ts";
import type { ProxyMetrics } from "../metrics/mod.ts";
import type { BackendSource, RouteFilter, RouteMatch } from "../routes/types.ts";
import type { RoutingState } from "./routing_state.ts";

export interface RoutingView {
  /** Every backend group in use. */
  groups(): readonly BackendGroup[];
  /** /debug/routes. */
  debug(): unknown;
  /** The `routes` list of /info. */
  info(): unknown[];
  /** Why the proxy is not ready yet, or undefined (readiness draining is checked by the caller). */
  notReady(): string | undefined;
}

export interface RoutingViewOptions {
  /** HTTPRoutes: not ready before their first snapshot arrived. */
  awaitRoutes?: () => boolean;
  watched?: () => string[];
  source: "config" | "gateway";
}

function describeMatch(m: RouteMatch): string {
  const parts = [`${m.path.type} ${m.path.value}`];
  if (m.method) parts.push(m.method);
  for (const h of m.headers) {
    parts.push(`header ${h.name}${h.type === "Exact" ? "=" : "~"}${h.value}`);
  }
  for (const q of m.queryParams) {
    parts.push(`query ${q.name}${q.type === "Exact" ? "=" : "~"}${q.value}`);
  }
  return parts.join(", ");
}

function describeSource(source: BackendSource): Record<string, unknown> {
  switch (source.kind) {
    case "static":
      return { addresses: source.addresses };
    case "service":
      return {
        service: source.name,
        ...(source.namespace ? { namespace: source.namespace } : {}),
        port: source.port,
      };
    case "discovery":
      return { discovery: "configured" };
    case "invalid":
      return { invalid: source.reason, message: source.message };
  }
}

function filterNames(filters: readonly RouteFilter[]): string[] {
  return filters.map((f) => f.type === "Unsupported" ? `Unsupported(${f.name})` : f.type);
}

export function routingView(
  routing: RoutingState,
  metrics: ProxyMetrics | undefined,
  now: () => number,
  options: RoutingViewOptions,
): RoutingView {
  const backends = (group: BackendGroup | undefined, at: number) =>
    group?.pool.all().map((u) => ({
      address: u.address,
      state: upstreamState(u, at),
      inflight: u.inflight,
      requests_forwarded: u.requestsForwarded,
      times_ejected: u.timesEjected,
    })) ?? [];
  return {
    groups: () => routing.groups(),
    debug() {
      const at = now();
      return {
        source: options.source,
        routes: routing.specs.map((route) => ({
          name: route.name,
          hostnames: route.hostnames,
          ...(route.createdAt ? { created: new Date(route.createdAt).toISOString() } : {}),
          ...(route.strategy ? { strategy: route.strategy } : {}),
          rules: route.rules.map((rule, ruleIndex) => ({
            ...(rule.name ? { name: rule.name } : {}),
            matches: rule.matches.map(describeMatch),
            filters: filterNames(rule.filters),
            backendRefs: rule.backendRefs.map((ref, refIndex) => {
              const group = routing.groupOf(route, ruleIndex, refIndex);
              return {
                ...describeSource(ref.source),
                weight: ref.weight,
                ...(ref.filters.length ? { filters: filterNames(ref.filters) } : {}),
                ...(group ? { group: group.name, strategy: group.strategy.name } : {}),
                backends: backends(group, at),
              };
            }),
          })),
        })),
        ...(options.watched ? { watches: options.watched() } : {}),
      };
    },
    info() {
      return routing.specs.map((route) => {
        const requests: Record<string, number> = {};
        for (const [status, count] of metrics?.routeCounts(route.name) ?? []) {
          requests[String(status)] = count;
        }
        const groups = routing.groups().filter((g) => g.route === route.name);
        return {
          name: route.name,
          hostnames: route.hostnames,
          requests,
          backends: groups.reduce((n, g) => n + g.pool.all().length, 0),
          groups: groups.map((g) => g.name),
        };
      });
    },
    notReady() {
      if (options.awaitRoutes && !options.awaitRoutes()) return "waiting for the first routes";
      const groups = routing.groups();
      if (groups.some((g) => !g.pool.synced)) return "waiting for the first discovery sync";
      if (groups.length > 0 && groups.every((g) => g.pool.all().length === 0)) {
        return "no backend endpoints discovered";
      }
      return undefined;
    },
  };
}
