// The route table: an immutable snapshot of every route, indexed so that select() finds a
// request's winning (route, rule, match) without trying them all. The caller swaps whole tables.
//
// Hostname specificity comes first in the precedence order (see precedence.ts), so candidates
// live in buckets by hostname: one per exact name, one per wildcard suffix, one for routes
// without hostnames. A request tries its exact bucket, then its wildcard buckets longest suffix
// first, then the catch-all bucket; the first candidate that passes wins. Visiting buckets in
// that order and each bucket in precedence order is the same as sorting every applicable
// candidate by precedence, which is what the spec asks: it orders matches "across all rules
// specified on applicable Routes", so a request whose exact hostname's routes have no matching
// rule falls through to the wildcard and catch-all routes. (Listener isolation, "requests
// SHOULD match at most one Listener", is a different matter: one table per listener.)
import { RegExpRouter } from "hono/router/reg-exp-router";
import { type Candidate, sortByPrecedence } from "./precedence.ts";
import { matchesEverything, type MatchTest, matchTest } from "./request_match.ts";
import type { RequestView } from "./request_view.ts";
import { routingPath } from "./request_target.ts";
import type { RouteMatch, RouteRule, RouteSpec } from "./types.ts";

export interface RouteSelection {
  readonly route: RouteSpec;
  readonly ruleIndex: number;
  readonly rule: RouteRule;
  readonly match: RouteMatch;
}

export interface RouteTable {
  /** The specs the table was built from, in input order, frozen. */
  readonly routes: readonly RouteSpec[];
  /** The winning candidate for a request, or undefined (the caller answers 404). */
  select(req: RequestView): RouteSelection | undefined;
}

/** Above this many candidates a bucket gets a path index; below, a scan is cheaper. */
export const INDEX_THRESHOLD = 8;

type Bucket = (req: RequestView) => RouteSelection | undefined;

interface Entry {
  readonly selection: RouteSelection;
  readonly test: MatchTest;
}

/**
 * Paths the index may register as written. Hono's syntax gives `:` `*` `{` `}` `(` `)` `?` `+`
 * a meaning, and RegExpRouter builds one expression from every pattern, where a `|` in a path
 * breaks the whole index (found while testing: every route, even `*`, stopped matching). So
 * only unreserved characters, `%` and `/` are indexed; any other path goes under `*`.
 */
const INDEXABLE = /^\/[A-Za-z0-9\-._~%/]*$/;

/** Freezes in place: a RouteSpec is immutable by contract, the table makes it so in fact. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The patterns under which a candidate's path is indexed; `*` is every path. */
export function indexPatterns(match: RouteMatch): string[] {
  const { type } = match.path;
  if (type === "RegularExpression" || !INDEXABLE.test(match.path.value)) {
    return ["*"];
  }
  // Request paths are compared in routingPath's spelling (`/%41` is `/A`): so is the index.
  const value = routingPath(match.path.value);
  if (type === "Exact") return [value];
  const prefix = value.endsWith("/") ? value.slice(0, -1) : value;
  if (prefix === "") return ["*"];
  // Hono's `/a/*` matches `/a` as well; both are registered so the index never depends on it.
  return [prefix, `${prefix}/*`];
}

function scanBucket(entries: readonly Entry[]): Bucket {
  return (req) => {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.test(req)) return entry.selection;
    }
    return undefined;
  };
}

/**
 * A bucket whose path index is a Hono router: its matches are only a pre-filter (a superset of
 * the candidates whose path can match), put back in precedence order and each confirmed by its
 * own test, which stays the truth.
 */
function indexedBucket(entries: readonly Entry[]): Bucket {
  const router = new RegExpRouter<number>();
  try {
    entries.forEach((entry, i) => {
      for (const pattern of indexPatterns(entry.selection.match)) router.add("ALL", pattern, i);
    });
    router.match("GET", "/"); // RegExpRouter compiles on first match: fail here, not per request.
  } catch {
    return scanBucket(entries); // A pattern set the router refuses: correctness over speed.
  }
  return (req) => {
    const found = router.match(req.method, req.path)[0];
    if (found.length === 0) return undefined;
    const indexes = new Array<number>(found.length);
    for (let i = 0; i < found.length; i++) indexes[i] = found[i]![0] as number;
    indexes.sort((a, b) => a - b);
    for (let i = 0; i < indexes.length; i++) {
      if (i > 0 && indexes[i] === indexes[i - 1]) continue; // `/a` and `/a/*` both found it
      const entry = entries[indexes[i]!]!;
      if (entry.test(req)) return entry.selection;
    }
    return undefined;
  };
}

function compileBucket(candidates: readonly Candidate[]): Bucket {
  const entries: Entry[] = sortByPrecedence(candidates).map((c) => ({
    selection: Object.freeze({
      route: c.route,
      ruleIndex: c.ruleIndex,
      rule: c.rule,
      match: c.match,
    }),
    test: matchTest(c.match),
  }));
  // Everything after a candidate that passes every request is unreachable.
  const always = entries.findIndex((e) => matchesEverything(e.selection.match));
  if (always !== -1) entries.length = always + 1;
  Object.freeze(entries);
  return entries.length > INDEX_THRESHOLD ? indexedBucket(entries) : scanBucket(entries);
}

function candidatesOf(route: RouteSpec, hostname: string | undefined): Candidate[] {
  const out: Candidate[] = [];
  route.rules.forEach((rule, ruleIndex) => {
    rule.matches.forEach((match, matchIndex) => {
      out.push({ route, hostname, ruleIndex, rule, matchIndex, match });
    });
  });
  return out;
}

function push<K>(map: Map<K, Candidate[]>, key: K, items: Candidate[]): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, items);
  else list.push(...items);
}

/** The implicit route of a single-service config: one route, every request, one answer. */
function soleCatchAll(specs: readonly RouteSpec[]): RouteSelection | undefined {
  if (specs.length !== 1) return undefined;
  const route = specs[0]!;
  if (route.hostnames.length !== 0 || route.rules.length !== 1) return undefined;
  const rule = route.rules[0]!;
  if (rule.matches.length !== 1 || !matchesEverything(rule.matches[0]!)) return undefined;
  return Object.freeze({ route, ruleIndex: 0, rule, match: rule.matches[0]! });
}

export function buildRouteTable(specs: readonly RouteSpec[]): RouteTable {
  const routes = Object.freeze(specs.map(deepFreeze));
  const sole = soleCatchAll(routes);
  if (sole !== undefined) return Object.freeze({ routes, select: () => sole });

  const exact = new Map<string, Candidate[]>();
  const wildcard = new Map<string, Candidate[]>();
  const catchAll: Candidate[] = [];
  for (const route of routes) {
    if (route.hostnames.length === 0) catchAll.push(...candidatesOf(route, undefined));
    for (const hostname of new Set(route.hostnames)) {
      if (hostname.startsWith("*.")) {
        push(wildcard, hostname.slice(1), candidatesOf(route, hostname));
      } else push(exact, hostname, candidatesOf(route, hostname));
    }
  }
  const exactBuckets = new Map<string, Bucket>();
  for (const [host, list] of exact) exactBuckets.set(host, compileBucket(list));
  const wildcardBuckets = new Map<string, Bucket>();
  for (const [suffix, list] of wildcard) wildcardBuckets.set(suffix, compileBucket(list));
  const none: Bucket = () => undefined;
  const catchAllBucket = catchAll.length === 0 ? none : compileBucket(catchAll);
  const anyWildcard = wildcardBuckets.size > 0;
  const suffixLengths = new Set([...wildcardBuckets.keys()].map((suffix) => suffix.length));

  function select(req: RequestView): RouteSelection | undefined {
    const host = req.host;
    const own = exactBuckets.get(host);
    if (own !== undefined) {
      const hit = own(req);
      if (hit !== undefined) return hit;
    }
    if (anyWildcard) {
      // wildcardSuffixes(host) without its array: most specific first, and a suffix is only
      // cut out of the host when some wildcard bucket has its length.
      for (let dot = host.indexOf("."); dot !== -1; dot = host.indexOf(".", dot + 1)) {
        if (dot === 0 || !suffixLengths.has(host.length - dot)) continue;
        const bucket = wildcardBuckets.get(host.slice(dot));
        if (bucket === undefined) continue;
        const hit = bucket(req);
        if (hit !== undefined) return hit;
      }
    }
    return catchAllBucket(req);
  }
  return Object.freeze({ routes, select });
}
