// What a request's route says to do with it, the step before selection: forward it to one
// backendRef's group with the rule's filters, or answer it here (a redirect, a 404 when no route
// matches, a 500 for an unresolvable backendRef or a filter podgate lacks). The snapshot this
// reads is immutable and swapped whole (routing_state.ts), so one request sees one table.
import type { BackendGroup } from "../balancer/backend_group.ts";
import { redirectLocation } from "../routes/filters.ts";
import { RequestView } from "../routes/request_view.ts";
import { portOf, querySuffix } from "../routes/request_target.ts";
import type { RouteTable } from "../routes/table.ts";
import type { WeightedChoice } from "../routes/weighted_choice.ts";
import type {
  HeaderEdits,
  PathMatch,
  RequestRedirect,
  RouteSpec,
  UrlRewrite,
} from "../routes/types.ts";
import { errorResponse } from "./errors.ts";

/** The filters of a rule and of the backendRef chosen, as the request path applies them. */
export interface ForwardPlan {
  readonly requestEdits: readonly HeaderEdits[];
  readonly responseEdits: readonly HeaderEdits[];
  readonly rewrite: UrlRewrite | undefined;
}

export const NO_FILTERS: ForwardPlan = Object.freeze({
  requestEdits: Object.freeze([]),
  responseEdits: Object.freeze([]),
  rewrite: undefined,
}) as ForwardPlan;

export type Resolution =
  | {
    readonly kind: "forward";
    readonly route: string;
    readonly group: BackendGroup;
    readonly plan: ForwardPlan;
    /** The match that chose the rule (a URLRewrite's ReplacePrefixMatch replaces its prefix). */
    readonly matched: PathMatch;
    /** The request as routing read it; undefined on the single-route path, which reads nothing. */
    readonly view: RequestView | undefined;
  }
  | {
    readonly kind: "respond";
    readonly route: string;
    readonly response: Response;
    /** The access log's error field ("no_route", "redirect", "invalid_backend", …). */
    readonly error: string;
  };

/** One backendRef of a rule as the request path uses it. */
export type RefTarget =
  | { readonly kind: "group"; readonly group: BackendGroup; readonly plan: ForwardPlan }
  | { readonly kind: "invalid"; readonly reason: string; readonly message: string };

/** One rule, compiled. */
export interface RuleTarget {
  readonly route: string;
  /** A RequestRedirect answers every request of the rule; no backend is involved. */
  readonly redirect: RequestRedirect | undefined;
  /** A filter podgate does not implement: the rule answers 500 rather than skip it. */
  readonly unsupported: string | undefined;
  readonly choice: WeightedChoice<RefTarget>;
}

/** An immutable routing snapshot: the table and each rule's targets. */
export interface RoutingSnapshot {
  readonly table: RouteTable;
  /** Per route, per rule index. */
  readonly targets: ReadonlyMap<RouteSpec, readonly RuleTarget[]>;
  /** Set when the table is the implicit single route: every request resolves to this. */
  readonly single: Resolution | undefined;
}

const MATCH_ALL: PathMatch = Object.freeze({ type: "PathPrefix", value: "/" }) as PathMatch;
export { MATCH_ALL };

/** The route and target for a request. */
export function resolve(snapshot: RoutingSnapshot, req: Request): Resolution {
  if (snapshot.single) return snapshot.single;
  const view = new RequestView(req);
  const selection = snapshot.table.select(view);
  if (!selection) {
    return {
      kind: "respond",
      route: "-",
      response: errorResponse(404, "no route matches", { host: view.host, path: view.path }),
      error: "no_route",
    };
  }
  const route = selection.route.name;
  const rule = snapshot.targets.get(selection.route)?.[selection.ruleIndex];
  if (!rule) {
    return internal(route, "route rule without targets");
  }
  if (rule.unsupported) {
    return internal(route, `filter ${rule.unsupported} is not supported`, "unsupported_filter");
  }
  if (rule.redirect) {
    const location = redirectLocation(
      {
        scheme: req.url.startsWith("https:") ? "https" : "http",
        host: view.host,
        port: portOf(req.url),
        path: view.path,
        query: querySuffix(req.url),
      },
      rule.redirect,
      selection.match.path,
    );
    if (location === undefined) {
      return {
        kind: "respond",
        route,
        response: errorResponse(400, "the redirect needs the request's Host", {
          reason: "a redirect to another scheme or port without a hostname of its own",
        }),
        error: "redirect_without_host",
      };
    }
    return {
      kind: "respond",
      route,
      response: new Response(null, {
        status: rule.redirect.statusCode,
        headers: { location },
      }),
      error: "",
    };
  }
  const target = rule.choice.next();
  if (!target) return internal(route, "every backendRef of the rule has weight 0", "no_backend");
  if (target.kind === "invalid") {
    return {
      kind: "respond",
      route,
      response: errorResponse(500, "backend reference not resolved", {
        reason: target.reason,
        detail: target.message,
      }),
      error: "invalid_backend",
    };
  }
  return {
    kind: "forward",
    route,
    group: target.group,
    plan: target.plan,
    matched: selection.match.path,
    view,
  };
}

function internal(route: string, detail: string, error = "internal"): Resolution {
  return {
    kind: "respond",
    route,
    response: errorResponse(500, "route cannot be served", { detail }),
    error,
  };
}
