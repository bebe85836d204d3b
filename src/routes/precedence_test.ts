import { assertEquals } from "@std/assert";
import {
  type Candidate,
  compareCandidates,
  comparePrecedence,
  precedenceKey,
  sortByPrecedence,
} from "./precedence.ts";
import type { NameValueMatch, PathMatch, RouteMatch, RouteSpec } from "./types.ts";

const exact = (name: string, value: string): NameValueMatch => ({ type: "Exact", name, value });
const prefix = (value: string): PathMatch => ({ type: "PathPrefix", value });

function match(partial: Partial<RouteMatch> = {}): RouteMatch {
  return { path: prefix("/"), headers: [], queryParams: [], ...partial };
}

function route(name: string, partial: Partial<RouteSpec> = {}): RouteSpec {
  return { name, hostnames: [], rules: [], createdAt: 0, order: 0, ...partial };
}

/** A candidate labelled for the assertions: `label` is what a reader checks the order by. */
function candidate(
  label: string,
  m: RouteMatch,
  opts: { hostname?: string; route?: RouteSpec; ruleIndex?: number; matchIndex?: number } = {},
): Candidate & { label: string } {
  const r = opts.route ?? route(label);
  const rule = { matches: [m], filters: [], backendRefs: [] };
  return {
    label,
    route: r,
    hostname: opts.hostname,
    ruleIndex: opts.ruleIndex ?? 0,
    rule,
    matchIndex: opts.matchIndex ?? 0,
    match: m,
  };
}

function order(candidates: (Candidate & { label: string })[]): string[] {
  // Reversed input, so an order that merely kept the input would fail.
  return sortByPrecedence([...candidates].reverse()).map((c) => c.label);
}

Deno.test("sortByPrecedence() puts an exact hostname before any wildcard, longer wildcards first, no hostname last", () => {
  assertEquals(
    order([
      candidate("exact", match(), { hostname: "a.b.example.com" }),
      candidate("long wildcard", match(), { hostname: "*.b.example.com" }),
      candidate("short wildcard", match(), { hostname: "*.example.com" }),
      candidate("no hostname", match()),
    ]),
    ["exact", "long wildcard", "short wildcard", "no hostname"],
  );
});

Deno.test("sortByPrecedence() ranks hostname above every path, method and header criterion", () => {
  assertEquals(
    order([
      candidate("exact host, prefix /", match(), { hostname: "shop.example.com" }),
      candidate(
        "wildcard host, Exact path with method and headers",
        match({
          path: { type: "Exact", value: "/cart" },
          method: "POST",
          headers: [exact("a", "1"), exact("b", "2")],
        }),
        { hostname: "*.example.com" },
      ),
    ]),
    ["exact host, prefix /", "wildcard host, Exact path with method and headers"],
  );
});

// HTTPRoutePathMatchOrder (conformance): Exact before PathPrefix, longer prefixes first;
// expressions (implementation-specific) between the two, as Envoy Gateway orders them.
Deno.test("sortByPrecedence() puts Exact paths first, then expressions, then prefixes by length", () => {
  assertEquals(
    order([
      candidate("Exact /match", match({ path: { type: "Exact", value: "/match" } })),
      candidate(
        "RegularExpression /match/.*/one/.*/x",
        match({
          path: { type: "RegularExpression", value: "/match/.*/one/.*/x" },
        }),
      ),
      candidate(
        "RegularExpression /m.*",
        match({ path: { type: "RegularExpression", value: "/m.*" } }),
      ),
      candidate("PathPrefix /match/prefix/one", match({ path: prefix("/match/prefix/one") })),
      candidate("PathPrefix /match/prefix/", match({ path: prefix("/match/prefix/") })),
      candidate("PathPrefix /match/", match({ path: prefix("/match/") })),
      candidate("PathPrefix /", match({ path: prefix("/") })),
    ]),
    [
      "Exact /match",
      "RegularExpression /match/.*/one/.*/x",
      "RegularExpression /m.*",
      "PathPrefix /match/prefix/one",
      "PathPrefix /match/prefix/",
      "PathPrefix /match/",
      "PathPrefix /",
    ],
  );
});

// HTTPRouteMethodMatching and HTTPRouteQueryParamMatching, "checking precedence" rules.
Deno.test("sortByPrecedence() on equal paths puts a method first, then more headers, then more query params", () => {
  assertEquals(
    order([
      candidate("method", match({ method: "PATCH" })),
      candidate(
        "2 headers",
        match({ headers: [exact("version", "two"), exact("color", "orange")] }),
      ),
      candidate("1 header", match({ headers: [exact("version", "four")] })),
      candidate(
        "2 query params",
        match({
          queryParams: [exact("animal", "dolphin"), exact("color", "blue")],
        }),
      ),
      candidate("1 query param", match({ queryParams: [exact("animal", "hydra")] })),
      candidate("nothing", match()),
    ]),
    ["method", "2 headers", "1 header", "2 query params", "1 query param", "nothing"],
  );
});

Deno.test("sortByPrecedence() puts a longer prefix before a method match", () => {
  assertEquals(
    order([
      candidate("PathPrefix /path5", match({ path: prefix("/path5") })),
      candidate("method PATCH on /", match({ method: "PATCH" })),
    ]),
    ["PathPrefix /path5", "method PATCH on /"],
  );
});

Deno.test("sortByPrecedence() counts a repeated header name once, as matching does", () => {
  assertEquals(
    order([
      candidate("2 different headers", match({ headers: [exact("a", "1"), exact("b", "1")] })),
      candidate("1 header named twice", match({ headers: [exact("a", "1"), exact("A", "2")] })),
    ]),
    ["2 different headers", "1 header named twice"],
  );
});

Deno.test("sortByPrecedence() breaks a tie by the oldest route, then route order, then rule, then match", () => {
  const old = route("ns/zeta", { createdAt: 1_000, order: 9 });
  const newA = route("ns/alpha", { createdAt: 2_000, order: 0 });
  const newB = route("ns/beta", { createdAt: 2_000, order: 1 });
  assertEquals(
    order([
      candidate("oldest route", match(), { route: old }),
      candidate("alpha rule 0 match 0", match(), { route: newA }),
      candidate("alpha rule 0 match 1", match(), { route: newA, matchIndex: 1 }),
      candidate("alpha rule 1", match(), { route: newA, ruleIndex: 1 }),
      candidate("beta", match(), { route: newB }),
    ]),
    ["oldest route", "alpha rule 0 match 0", "alpha rule 0 match 1", "alpha rule 1", "beta"],
  );
});

Deno.test("comparePrecedence() is 0 only for the same place and antisymmetric", () => {
  const a = precedenceKey(candidate("a", match({ path: prefix("/a") })));
  const b = precedenceKey(candidate("b", match({ path: prefix("/ab") })));
  assertEquals(comparePrecedence(a, a), 0);
  assertEquals(Math.sign(comparePrecedence(a, b)), -Math.sign(comparePrecedence(b, a)));
  assertEquals(comparePrecedence(b, a) < 0, true);
});

Deno.test("compareCandidates() agrees with the key comparator", () => {
  const a = candidate("a", match({ method: "GET" }));
  const b = candidate("b", match());
  assertEquals(compareCandidates(a, b) < 0, true);
  assertEquals(compareCandidates(b, a) > 0, true);
});

Deno.test("precedenceKey() reads an empty prefix as /", () => {
  const empty = precedenceKey(candidate("empty", match({ path: prefix("") })));
  const slash = precedenceKey(candidate("slash", match({ path: prefix("/") })));
  assertEquals(comparePrecedence(empty, slash), 0);
});
