// The proxy config's `routes`: HTTPRoute's own field names (hostnames, rules, matches, filters,
// backendRefs), so a file and a cluster read alike; a backendRef is a Service (`name`, `port`,
// optional `namespace`) or a static `addresses` list. Parsed into the route model
// (src/routes/types.ts) with every default filled in; errors name the route and the field.
import { z } from "zod";
import { hostPort, port } from "./fields.ts";
import { hostnameProblem } from "../routes/hostname.ts";
import { pathProblem } from "../routes/path_match.ts";
import type {
  BackendRef,
  BackendSource,
  HeaderEdits,
  NameValueMatch,
  RouteFilter,
  RouteMatch,
  RouteRule,
  RouteSpec,
} from "../routes/types.ts";
import { STRATEGIES } from "./strategies.ts";

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

const headerName = z.string().regex(HEADER_NAME, "expected an HTTP header name");
const headerValue = z.string().max(4096).refine((v) => !/[\r\n\0]/.test(v), {
  message: "must not contain CR, LF or NUL",
});

const nameValueMatch = (name: z.ZodString) =>
  z.strictObject({
    type: z.enum(["Exact", "RegularExpression"]).default("Exact"),
    name,
    value: z.string().max(4096),
  }).superRefine((m, ctx) => {
    if (m.type !== "RegularExpression") return;
    try {
      new RegExp(m.value);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        path: ["value"],
        message: `expected a regular expression: ${(error as Error).message}`,
      });
    }
  });

const pathMatch = z.strictObject({
  type: z.enum(["Exact", "PathPrefix", "RegularExpression"]).default("PathPrefix"),
  value: z.string().max(1024).default("/"),
}).superRefine((p, ctx) => {
  const problem = pathProblem(p.type, p.value);
  if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: problem });
});

const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

const match = z.strictObject({
  path: pathMatch.prefault({}),
  method: z.enum(METHODS).optional(),
  headers: z.array(nameValueMatch(headerName)).max(16).default([]),
  queryParams: z.array(nameValueMatch(z.string().min(1).max(256))).max(16).default([]),
});

const headerEdits = z.strictObject({
  set: z.array(z.strictObject({ name: headerName, value: headerValue })).max(16).default([]),
  add: z.array(z.strictObject({ name: headerName, value: headerValue })).max(16).default([]),
  remove: z.array(headerName).max(16).default([]),
});

const pathModifier = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("ReplaceFullPath"), replaceFullPath: z.string().min(1) }),
  z.strictObject({ type: z.literal("ReplacePrefixMatch"), replacePrefixMatch: z.string().min(1) }),
]);

const routeHostname = z.string().transform((h) => h.toLowerCase()).superRefine((h, ctx) => {
  const problem = hostnameProblem(h);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const filter = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("RequestHeaderModifier"), requestHeaderModifier: headerEdits }),
  z.strictObject({
    type: z.literal("ResponseHeaderModifier"),
    responseHeaderModifier: headerEdits,
  }),
  z.strictObject({
    type: z.literal("RequestRedirect"),
    requestRedirect: z.strictObject({
      scheme: z.enum(["http", "https"]).optional(),
      hostname: routeHostname.optional(),
      port: port().optional(),
      path: pathModifier.optional(),
      statusCode: z.union([301, 302, 303, 307, 308].map((c) => z.literal(c))).default(302),
    }),
  }),
  z.strictObject({
    type: z.literal("URLRewrite"),
    urlRewrite: z.strictObject({
      hostname: routeHostname.optional(),
      path: pathModifier.optional(),
    }),
  }),
], {
  error:
    "expected type RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect or URLRewrite",
});

const backendRef = z.strictObject({
  /** A Service, discovered through its EndpointSlices… */
  name: z.string().regex(NAME, "expected a Service name").optional(),
  namespace: z.string().regex(NAME, "expected a namespace name").optional(),
  port: z.union([port(), z.string().regex(/^[a-z0-9-]{1,63}$/, "expected a port number or name")])
    .optional(),
  /** …or fixed `host:port` addresses. */
  addresses: z.array(hostPort()).min(1, "expected at least one host:port").optional(),
  weight: z.int().min(0, "expected a weight 0-1000000").max(1_000_000).default(1),
  filters: z.array(filter).max(16).default([]),
}).superRefine((r, ctx) => {
  if (r.addresses && r.name) {
    ctx.addIssue({ code: "custom", message: "set either addresses or name (a Service), not both" });
  } else if (!r.addresses && !r.name) {
    ctx.addIssue({ code: "custom", message: "set addresses (host:port list) or name (a Service)" });
  } else if (r.name && r.port === undefined) {
    ctx.addIssue({ code: "custom", path: ["port"], message: "required for a Service backendRef" });
  } else if (r.addresses && (r.port !== undefined || r.namespace !== undefined)) {
    ctx.addIssue({ code: "custom", message: "port and namespace belong to a Service backendRef" });
  }
});

const rule = z.strictObject({
  name: z.string().regex(NAME, "expected a lowercase name").optional(),
  matches: z.array(match).max(64).prefault([{}]),
  filters: z.array(filter).max(16).default([]),
  backendRefs: z.array(backendRef).max(16).default([]),
}).superRefine((r, ctx) => {
  const redirect = r.filters.some((f) => f.type === "RequestRedirect");
  const rewrite = r.filters.some((f) => f.type === "URLRewrite");
  if (redirect && rewrite) {
    ctx.addIssue({
      code: "custom",
      path: ["filters"],
      message: "RequestRedirect and URLRewrite cannot both be set on one rule",
    });
  }
  if (!redirect && r.backendRefs.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["backendRefs"],
      message: "expected at least one backendRef (or a RequestRedirect filter)",
    });
  }
  const prefixOnly = r.matches.every((m) => m.path.type === "PathPrefix");
  r.filters.forEach((f, i) => {
    const modifier = f.type === "RequestRedirect"
      ? f.requestRedirect.path
      : f.type === "URLRewrite"
      ? f.urlRewrite.path
      : undefined;
    if (modifier?.type === "ReplacePrefixMatch" && !prefixOnly) {
      ctx.addIssue({
        code: "custom",
        path: ["filters", i],
        message: "ReplacePrefixMatch needs every match of the rule to be a PathPrefix",
      });
    }
  });
});

const route = z.strictObject({
  name: z.string().regex(NAME, "expected a lowercase name such as shop or shop-api"),
  hostnames: z.array(routeHostname).max(16).default([]),
  /** This route's strategy; the proxy's `strategy` when unset. */
  strategy: z.enum(STRATEGIES).optional(),
  rules: z.array(rule).min(1, "expected at least one rule").max(64),
});

type RouteInput = z.output<typeof route>;

const MATCH_ALL_INPUT = match.parse({});

/** The `routes` section: a list, names unique, parsed into RouteSpecs. */
export const routesSchema = z.array(route).max(10_000).superRefine((routes, ctx) => {
  const seen = new Map<string, number>();
  routes.forEach((r, i) => {
    const first = seen.get(r.name);
    if (first !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [i, "name"],
        message: `duplicate route name (routes[${first}] has it)`,
      });
    } else seen.set(r.name, i);
  });
}).transform((routes) => routes.map(toRouteSpec));

function toRouteSpec(input: RouteInput, order: number): RouteSpec {
  return {
    name: input.name,
    hostnames: [...new Set(input.hostnames)],
    rules: input.rules.map(toRule),
    // A file has no creation times: its order is the tie-break.
    createdAt: 0,
    order,
    ...(input.strategy ? { strategy: input.strategy } : {}),
  };
}

function toRule(input: RouteInput["rules"][number]): RouteRule {
  return {
    ...(input.name ? { name: input.name } : {}),
    // No matches at all means what the CRD's default means: every request.
    matches: (input.matches.length > 0 ? input.matches : [MATCH_ALL_INPUT]).map((
      m,
    ): RouteMatch => ({
      path: m.path,
      ...(m.method ? { method: m.method } : {}),
      headers: m.headers as NameValueMatch[],
      queryParams: m.queryParams as NameValueMatch[],
    })),
    filters: input.filters.map(toFilter),
    backendRefs: input.backendRefs.map((ref): BackendRef => ({
      source: toSource(ref),
      weight: ref.weight,
      filters: ref.filters.map(toFilter),
    })),
  };
}

function toSource(ref: RouteInput["rules"][number]["backendRefs"][number]): BackendSource {
  if (ref.addresses) return { kind: "static", addresses: ref.addresses };
  return {
    kind: "service",
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
    name: ref.name!,
    port: ref.port!,
  };
}

type FilterInput = z.output<typeof filter>;

function toFilter(f: FilterInput): RouteFilter {
  switch (f.type) {
    case "RequestHeaderModifier":
      return { type: f.type, requestHeaderModifier: f.requestHeaderModifier as HeaderEdits };
    case "ResponseHeaderModifier":
      return { type: f.type, responseHeaderModifier: f.responseHeaderModifier as HeaderEdits };
    case "RequestRedirect":
      return { type: f.type, requestRedirect: f.requestRedirect } as RouteFilter;
    case "URLRewrite":
      return { type: f.type, urlRewrite: f.urlRewrite } as RouteFilter;
  }
}

/** Whether any route needs the Kubernetes API (a Service backendRef). */
export function routesUseServices(routes: readonly RouteSpec[]): boolean {
  return routes.some((r) =>
    r.rules.some((rule) => rule.backendRefs.some((ref) => ref.source.kind === "service"))
  );
}
