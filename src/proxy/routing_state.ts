// The proxy's routes over time: each new list of RouteSpecs (from the config file once, or from
// HTTPRoutes on every change) becomes a new immutable RoutingSnapshot, swapped in one assignment.
// Backend groups are kept across snapshots by identity (route, rule, backend source), so an edit
// elsewhere in the table keeps a group's pool, health and counters; a group no snapshot needs
// any more is released (its discovery stopped).
import type { BackendGroup } from "../balancer/backend_group.ts";
import type { Logger } from "../log.ts";
import { matchesEverything } from "../routes/request_match.ts";
import { buildRouteTable } from "../routes/table.ts";
import type { BackendSource, RouteFilter, RouteRule, RouteSpec } from "../routes/types.ts";
import { WeightedChoice } from "../routes/weighted_choice.ts";
import {
  type ForwardPlan,
  MATCH_ALL,
  NO_FILTERS,
  type RefTarget,
  type RoutingSnapshot,
  type RuleTarget,
} from "./route_resolution.ts";

/** Sources with endpoints; an invalid reference never gets a group. */
export type GroupSource = Exclude<BackendSource, { kind: "invalid" }>;

export interface RoutingStateOptions {
  /** Makes the group for one backendRef of one rule (its strategy: the route's or the proxy's). */
  createGroup(name: string, route: RouteSpec): BackendGroup;
  /** Feeds a group's pool from its source; returns what stops that. */
  connect(source: GroupSource, group: BackendGroup): () => void;
  logger: Logger;
}

interface Held {
  group: BackendGroup;
  release: () => void;
  source: GroupSource;
}

export class RoutingState {
  #options: RoutingStateOptions;
  #snapshot: RoutingSnapshot;
  #held = new Map<string, Held>();
  #specs: readonly RouteSpec[] = [];

  constructor(options: RoutingStateOptions) {
    this.#options = options;
    this.#snapshot = { table: buildRouteTable([]), targets: new Map(), single: undefined };
  }

  /** Logs group changes to `logger` from now on (the proxy tees its logger once it can). */
  setLogger(logger: Logger): void {
    this.#options = { ...this.#options, logger };
  }

  /** The snapshot requests resolve against now. */
  get snapshot(): RoutingSnapshot {
    return this.#snapshot;
  }

  /** The route specs of the current snapshot. */
  get specs(): readonly RouteSpec[] {
    return this.#specs;
  }

  /** Every backend group the current snapshot uses, in table order. */
  groups(): BackendGroup[] {
    return [...this.#held.values()].map((h) => h.group);
  }

  /** The group behind each backendRef, by route and rule, for /debug/routes. */
  groupOf(route: RouteSpec, ruleIndex: number, refIndex: number): BackendGroup | undefined {
    const ref = route.rules[ruleIndex]?.backendRefs[refIndex];
    if (!ref || ref.source.kind === "invalid") return undefined;
    return this.#held.get(groupKey(route, ruleIndex, ref.source))?.group;
  }

  /** Builds and swaps in the snapshot for `specs`. */
  update(specs: readonly RouteSpec[]): void {
    const next = new Map<string, Held>();
    const targets = new Map<RouteSpec, RuleTarget[]>();
    for (const route of specs) {
      targets.set(route, route.rules.map((rule, i) => this.#ruleTarget(route, rule, i, next)));
    }
    const table = buildRouteTable(specs);
    const only = specs.length === 1 ? specs[0]! : undefined;
    const single = only && isImplicit(only)
      ? singleResolution(only, targets.get(only)![0]!)
      : undefined;
    const previous = this.#held;
    this.#held = next;
    this.#specs = specs;
    this.#snapshot = { table, targets, single };
    for (const [key, held] of previous) {
      if (next.has(key)) continue;
      held.release();
      this.#options.logger.info("backend_group_removed", { group: held.group.name });
    }
  }

  /** An empty group no route uses, for views that need one before any route exists. */
  placeholder(): BackendGroup {
    return this.#options.createGroup("-", {
      name: "-",
      hostnames: [],
      rules: [],
      createdAt: 0,
      order: 0,
    });
  }

  /** Releases every group (their discovery stops). */
  stop(): void {
    for (const held of this.#held.values()) held.release();
    this.#held.clear();
  }

  #ruleTarget(route: RouteSpec, rule: RouteRule, ruleIndex: number, next: Map<string, Held>) {
    const ruleFilters = splitFilters(rule.filters);
    const refs: RefTarget[] = rule.backendRefs.map((ref) => {
      if (ref.source.kind === "invalid") {
        return { kind: "invalid", reason: ref.source.reason, message: ref.source.message };
      }
      const key = groupKey(route, ruleIndex, ref.source);
      let held = next.get(key) ?? this.#held.get(key);
      if (!held) {
        const group = this.#options.createGroup(
          groupName(route, rule, ruleIndex, ref.source),
          route,
        );
        held = { group, source: ref.source, release: () => {} };
        held.release = this.#options.connect(ref.source, group);
        this.#options.logger.info("backend_group_added", { group: group.name });
      }
      next.set(key, held);
      const refFilters = splitFilters(ref.filters);
      const plan = joinPlans(ruleFilters.plan, refFilters.plan);
      return { kind: "group", group: held.group, plan };
    });
    const target: RuleTarget = {
      route: route.name,
      redirect: ruleFilters.redirect,
      unsupported: ruleFilters.unsupported,
      choice: new WeightedChoice(refs, rule.backendRefs.map((r) => r.weight)),
    };
    return target;
  }
}

function sourceKey(source: GroupSource): string {
  switch (source.kind) {
    case "static":
      return `static:${[...source.addresses].sort().join(",")}`;
    case "service":
      return `service:${source.namespace ?? ""}/${source.name}:${source.port}`;
    case "discovery":
      return "discovery";
  }
}

function groupKey(route: RouteSpec, ruleIndex: number, source: GroupSource): string {
  const rule = route.rules[ruleIndex];
  return `${route.name}\u0000${rule?.name ?? ruleIndex}\u0000${sourceKey(source)}`;
}

function groupName(route: RouteSpec, rule: RouteRule, index: number, source: GroupSource): string {
  if (source.kind === "discovery") return route.name;
  const where = source.kind === "static"
    ? source.addresses.join(",")
    : `${source.namespace ? `${source.namespace}/` : ""}${source.name}:${source.port}`;
  return `${route.name}/${rule.name ?? `rule${index}`}/${where}`;
}

/** The implicit route of a single-service config: every host, `/`, one backendRef. */
function isImplicit(route: RouteSpec): boolean {
  if (route.hostnames.length > 0 || route.rules.length !== 1) return false;
  const rule = route.rules[0]!;
  const match = rule.matches[0];
  return rule.matches.length === 1 && match !== undefined && matchesEverything(match) &&
    rule.filters.length === 0 && rule.backendRefs.length === 1 &&
    rule.backendRefs[0]!.filters.length === 0 && rule.backendRefs[0]!.weight > 0 &&
    rule.backendRefs[0]!.source.kind !== "invalid";
}

function singleResolution(route: RouteSpec, target: RuleTarget) {
  const ref = target.choice.next();
  if (!ref || ref.kind !== "group") return undefined;
  return {
    kind: "forward" as const,
    route: route.name,
    group: ref.group,
    plan: NO_FILTERS,
    matched: MATCH_ALL,
    view: undefined,
  };
}

interface SplitFilters {
  plan: ForwardPlan;
  redirect: RuleTarget["redirect"];
  unsupported: string | undefined;
}

function splitFilters(filters: readonly RouteFilter[]): SplitFilters {
  if (filters.length === 0) {
    return { plan: NO_FILTERS, redirect: undefined, unsupported: undefined };
  }
  const requestEdits = [];
  const responseEdits = [];
  let rewrite: ForwardPlan["rewrite"];
  let redirect: RuleTarget["redirect"];
  let unsupported: string | undefined;
  for (const filter of filters) {
    switch (filter.type) {
      case "RequestHeaderModifier":
        requestEdits.push(filter.requestHeaderModifier);
        break;
      case "ResponseHeaderModifier":
        responseEdits.push(filter.responseHeaderModifier);
        break;
      case "URLRewrite":
        rewrite = filter.urlRewrite;
        break;
      case "RequestRedirect":
        redirect = filter.requestRedirect;
        break;
      case "Unsupported":
        unsupported ??= filter.name;
        break;
    }
  }
  return {
    plan: Object.freeze({ requestEdits, responseEdits, rewrite }),
    redirect,
    unsupported,
  };
}

function joinPlans(rule: ForwardPlan, ref: ForwardPlan): ForwardPlan {
  if (ref === NO_FILTERS) return rule;
  if (rule === NO_FILTERS) return ref;
  return Object.freeze({
    requestEdits: [...rule.requestEdits, ...ref.requestEdits],
    responseEdits: [...rule.responseEdits, ...ref.responseEdits],
    rewrite: ref.rewrite ?? rule.rewrite,
  });
}
