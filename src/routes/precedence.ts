// Which of several (route, rule, match) candidates a request takes when more than one holds:
// Gateway API's HTTPRoute precedence, as a sort key and a comparator over it (pure).
//
// The order, each step breaking the ties of the one before (httproute_types.go, HTTPRouteSpec
// Hostnames and HTTPRouteRule Matches):
//  1. the matching hostname: "precedence must be given to rules from the HTTPRoute with the
//     largest number of: Characters in a matching non-wildcard hostname. Characters in a
//     matching hostname." An exact name beats every wildcard, a longer wildcard a shorter one,
//     and a route without hostnames (it matches every host) comes last;
//  2. "Exact" path match, then RegularExpression, then "Prefix" path match "with largest number
//     of characters". "The precedence of RegularExpression path matches are
//     implementation-specific": podgate puts them between Exact and PathPrefix, longer
//     expression first, as Envoy Gateway ("Exact > RegularExpression > PathPrefix" in its
//     internal/gatewayapi/sort.go) and Kuadrant do. Last would make an expression dead behind
//     the PathPrefix `/` nearly every host has;
//  3. a method match; 4. the largest number of header matches; 5. of query param matches;
//  6. "The oldest Route based on creation timestamp"; 7. "The Route appearing first in
//     alphabetical order by {namespace}/{name}" (RouteSpec.order, or config position);
//  8. "the FIRST matching rule (in list order)"; 9. the first match of that rule.
import { isWildcard } from "./hostname.ts";
import { firstOfEachName } from "./request_match.ts";
import type { RouteMatch, RouteRule, RouteSpec } from "./types.ts";

/** One match of one rule of one route, reached through one of the route's hostnames. */
export interface Candidate {
  readonly route: RouteSpec;
  /** The route hostname that matched the request; undefined for a route without hostnames. */
  readonly hostname: string | undefined;
  readonly ruleIndex: number;
  readonly rule: RouteRule;
  readonly matchIndex: number;
  readonly match: RouteMatch;
}

/**
 * A candidate's place in the order as numbers, compared left to right, larger first for the
 * specificity fields and smaller first for the tie-breaks (see comparePrecedence).
 */
export interface PrecedenceKey {
  /** Characters of the matching hostname when it is exact; 0 for a wildcard or none. */
  readonly exactHostChars: number;
  /** Characters of the matching hostname, a wildcard's `*.` included; 0 for none. */
  readonly hostChars: number;
  /** 2 Exact, 1 RegularExpression, 0 PathPrefix. */
  readonly pathKind: number;
  /** Characters of the path value as written: the spec counts characters, not segments. */
  readonly pathChars: number;
  /** 1 when the match names a method. */
  readonly method: number;
  /** Header matches, a repeated name counted once (matchTest ignores the repeats). */
  readonly headers: number;
  /** Query parameter matches, a repeated name counted once. */
  readonly queryParams: number;
  readonly createdAt: number;
  readonly order: number;
  readonly ruleIndex: number;
  readonly matchIndex: number;
}

const PATH_KIND = { Exact: 2, RegularExpression: 1, PathPrefix: 0 } as const;

export function precedenceKey(candidate: Candidate): PrecedenceKey {
  const { hostname, match, route } = candidate;
  return {
    exactHostChars: hostname !== undefined && !isWildcard(hostname) ? hostname.length : 0,
    hostChars: hostname?.length ?? 0,
    pathKind: PATH_KIND[match.path.type],
    // An empty prefix is `/` (matchesEverything treats both alike).
    pathChars: match.path.value.length || 1,
    method: match.method === undefined ? 0 : 1,
    headers: firstOfEachName(match.headers, true).length,
    queryParams: firstOfEachName(match.queryParams, false).length,
    createdAt: route.createdAt,
    order: route.order,
    ruleIndex: candidate.ruleIndex,
    matchIndex: candidate.matchIndex,
  };
}

/** Negative when `a` takes precedence over `b`, positive when `b` does, 0 for the same place. */
export function comparePrecedence(a: PrecedenceKey, b: PrecedenceKey): number {
  return (b.exactHostChars - a.exactHostChars) ||
    (b.hostChars - a.hostChars) ||
    (b.pathKind - a.pathKind) ||
    (b.pathChars - a.pathChars) ||
    (b.method - a.method) ||
    (b.headers - a.headers) ||
    (b.queryParams - a.queryParams) ||
    (a.createdAt - b.createdAt) ||
    (a.order - b.order) ||
    (a.ruleIndex - b.ruleIndex) ||
    (a.matchIndex - b.matchIndex);
}

/** The comparator over candidates themselves (the key is worked out on each call: for tests). */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return comparePrecedence(precedenceKey(a), precedenceKey(b));
}

/** The candidates in precedence order (a new array; keys worked out once each). */
export function sortByPrecedence<C extends Candidate>(candidates: readonly C[]): C[] {
  const keyed = candidates.map((candidate) => ({ candidate, key: precedenceKey(candidate) }));
  keyed.sort((a, b) => comparePrecedence(a.key, b.key));
  return keyed.map((k) => k.candidate);
}
