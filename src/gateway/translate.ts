// HTTPRoutes attached to podgate's Gateway → RouteSpec[] (pure): the routes to serve, and for
// every route the conditions podgate owes each of its parentRefs that name that Gateway
// (Accepted, ResolvedRefs). Routes that name another parent only are not ours: no spec, no
// conditions. Defaults are the CRD's: a rule without matches matches PathPrefix `/`, a
// backendRef weighs 1, a route without rules has one that matches everything.
import { pathProblem } from "../routes/path_match.ts";
import {
  type BackendRef,
  MATCH_EVERYTHING,
  type NameValueMatch,
  type PathMatchType,
  type RouteMatch,
  type RouteRule,
  type RouteSpec,
} from "../routes/types.ts";
import { attach, type Verdict } from "./attach.ts";
import { type RefContext, resolveBackendRef } from "./backend_refs.ts";
import { type GatewayKey, namesGateway } from "./parent_ref.ts";
import { translateFilter } from "./route_filters.ts";
import type {
  Gateway,
  HttpRoute,
  HttpRouteMatch,
  HttpRouteRule,
  ParentReference,
  ReferenceGrant,
  Service,
} from "./schemas.ts";

export type { Verdict };

export interface TranslateInput {
  /** podgate's Gateway, or undefined when it does not exist. */
  readonly gateway: Gateway | undefined;
  readonly routes: readonly HttpRoute[];
  readonly services: readonly Service[];
  readonly grants: readonly ReferenceGrant[];
}

export interface TranslateOptions {
  readonly gatewayKey: GatewayKey;
  readonly sectionName?: string | undefined;
}

export interface RouteCondition extends Verdict {
  readonly type: "Accepted" | "ResolvedRefs";
}

/** What podgate says about one parentRef that names its Gateway. */
export interface ParentOutcome {
  /** As written in the route's spec. */
  readonly parentRef: ParentReference;
  readonly conditions: readonly RouteCondition[];
}

export interface RouteOutcome {
  /** `namespace/name`. */
  readonly key: string;
  readonly route: HttpRoute;
  /** One per parentRef naming podgate's Gateway; empty when the route is not ours. */
  readonly parents: readonly ParentOutcome[];
}

export interface Translation {
  /** The routes to serve, frozen, ordered by `order`. */
  readonly routes: readonly RouteSpec[];
  /** Every route read, in `namespace/name` order. */
  readonly outcomes: readonly RouteOutcome[];
}

const PATH_TYPES = new Set<string>(["Exact", "PathPrefix", "RegularExpression"]);

function regexProblem(value: string): string | undefined {
  try {
    new RegExp(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function nameValue(
  list: HttpRouteMatch["headers"],
  where: string,
  problems: string[],
): NameValueMatch[] {
  return list.map((m, i) => {
    const type = m.type ?? "Exact";
    if (type !== "Exact" && type !== "RegularExpression") {
      problems.push(`${where}[${i}].type: unsupported value ${JSON.stringify(type)}`);
    } else if (type === "RegularExpression") {
      const problem = regexProblem(m.value);
      if (problem) problems.push(`${where}[${i}].value: ${problem}`);
    }
    return { type: type as NameValueMatch["type"], name: m.name, value: m.value };
  });
}

function translateMatch(match: HttpRouteMatch, where: string, problems: string[]): RouteMatch {
  const type = match.path?.type ?? "PathPrefix";
  const value = match.path?.value ?? "/";
  if (!PATH_TYPES.has(type)) {
    problems.push(`${where}.path.type: unsupported value ${JSON.stringify(type)}`);
  } else {
    const problem = pathProblem(type as PathMatchType, value);
    if (problem) problems.push(`${where}.path.value: ${problem}`);
  }
  return {
    path: { type: type as PathMatchType, value },
    ...(match.method !== undefined ? { method: match.method } : {}),
    headers: nameValue(match.headers, `${where}.headers`, problems),
    queryParams: nameValue(match.queryParams, `${where}.queryParams`, problems),
  };
}

interface RuleTranslation {
  /** Undefined when a match cannot be implemented: the rule is dropped. */
  readonly rule: RouteRule | undefined;
  /** UnsupportedValue findings (Accepted). */
  readonly problems: readonly string[];
  /** The first unresolvable backendRef (ResolvedRefs). */
  readonly refProblem: { reason: string; message: string } | undefined;
}

function translateRule(rule: HttpRouteRule, index: number, context: RefContext): RuleTranslation {
  const where = `spec.rules[${index}]`;
  const matchProblems: string[] = [];
  const matches = rule.matches.length === 0
    ? [MATCH_EVERYTHING]
    : rule.matches.map((m, i) => translateMatch(m, `${where}.matches[${i}]`, matchProblems));
  const problems = matchProblems.map((p) => `${p} (rule dropped)`);
  const filters = rule.filters.map((f, i) => {
    const t = translateFilter(f);
    if (t.problem) {
      problems.push(`${where}.filters[${i}]: ${t.problem} (requests of this rule get 500)`);
    }
    return t.filter;
  });
  let refProblem: RuleTranslation["refProblem"];
  const backendRefs: BackendRef[] = rule.backendRefs.map((ref, i) => {
    const source = resolveBackendRef(ref, context);
    if (source.kind === "invalid") {
      refProblem ??= {
        reason: source.reason,
        message: `${where}.backendRefs[${i}]: ${source.message}`,
      };
    }
    return {
      source,
      weight: ref.weight ?? 1,
      filters: ref.filters.map((f, j) => {
        const t = translateFilter(f);
        if (t.problem) {
          problems.push(
            `${where}.backendRefs[${i}].filters[${j}]: ${t.problem} (requests to this backend get 500)`,
          );
        }
        return t.filter;
      }),
    };
  });
  return {
    rule: matchProblems.length > 0 ? undefined : {
      ...(rule.name !== undefined ? { name: rule.name } : {}),
      matches,
      filters,
      backendRefs,
    },
    problems,
    refProblem,
  };
}

const EMPTY_RULE: HttpRouteRule = { matches: [], filters: [], backendRefs: [] };

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const keyOf = (r: { metadata: { namespace: string; name: string } }) =>
  `${r.metadata.namespace}/${r.metadata.name}`;

export function translateRoutes(input: TranslateInput, options: TranslateOptions): Translation {
  const services = new Map(input.services.map((s) => [keyOf(s), s]));
  const sorted = [...input.routes].sort((a, b) =>
    keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0
  );
  const routes: RouteSpec[] = [];
  const outcomes: RouteOutcome[] = [];
  for (const route of sorted) {
    const key = keyOf(route);
    const namespace = route.metadata.namespace;
    const ours = route.spec.parentRefs.filter((ref) =>
      namesGateway(ref, namespace, options.gatewayKey)
    );
    if (ours.length === 0) {
      outcomes.push({ key, route, parents: [] });
      continue;
    }
    const context: RefContext = { routeNamespace: namespace, services, grants: input.grants };
    const rules = (route.spec.rules.length === 0 ? [EMPTY_RULE] : route.spec.rules)
      .map((rule, i) => translateRule(rule, i, context));
    const problems = rules.flatMap((r) => r.problems);
    const refProblem = rules.find((r) => r.refProblem)?.refProblem;
    const resolvedRefs: RouteCondition = refProblem
      ? { type: "ResolvedRefs", status: "False", ...refProblem }
      : {
        type: "ResolvedRefs",
        status: "True",
        reason: "ResolvedRefs",
        message: "All references resolved",
      };
    const kept = rules.flatMap((r) => r.rule ? [r.rule] : []);

    let everyHost = false;
    const hostnames = new Set<string>();
    let attached = false;
    const parents = ours.map((parentRef): ParentOutcome => {
      const attachment = attach(parentRef, route, input.gateway, options);
      let accepted: RouteCondition = { type: "Accepted", ...attachment.verdict };
      if (attachment.accepted) {
        if (kept.length > 0) {
          attached = true;
          if (attachment.hostnames.length === 0) everyHost = true;
          for (const h of attachment.hostnames) hostnames.add(h);
        }
        // The spec: an unknown or unsupported value sets Accepted False, UnsupportedValue. The
        // rules podgate can serve still are; those it cannot answer 500 or are dropped.
        if (problems.length > 0) {
          accepted = {
            type: "Accepted",
            status: "False",
            reason: "UnsupportedValue",
            message: problems.join("; "),
          };
        }
      }
      return { parentRef, conditions: [accepted, resolvedRefs] };
    });
    outcomes.push({ key, route, parents });
    if (!attached) continue;
    const createdAt = Date.parse(route.metadata.creationTimestamp ?? "");
    routes.push({
      name: key,
      hostnames: everyHost ? [] : [...hostnames].sort(),
      rules: kept,
      createdAt: Number.isNaN(createdAt) ? 0 : createdAt,
      order: routes.length,
    });
  }
  return { routes: deepFreeze(routes), outcomes };
}
