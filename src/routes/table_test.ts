import { assert, assertEquals } from "@std/assert";
import { hostnameMatches } from "./hostname.ts";
import { type Candidate, sortByPrecedence } from "./precedence.ts";
import { matchTest } from "./request_match.ts";
import { RequestView } from "./request_view.ts";
import { buildRouteTable, INDEX_THRESHOLD, indexPatterns, type RouteTable } from "./table.ts";
import type { NameValueMatch, PathMatchType, RouteMatch, RouteRule, RouteSpec } from "./types.ts";

// Routes are written the way an HTTPRoute reads: a rule names the backend it sends to, a match
// leaves out what it does not constrain (PathPrefix `/` is the default). An answer is the
// backend of the winning rule, or 404.

interface MatchInput {
  path?: [PathMatchType, string];
  method?: string;
  headers?: Record<string, string>;
  queryParams?: Record<string, string>;
}

interface RuleInput {
  matches?: MatchInput[];
  backend: string;
}

const pairs = (record: Record<string, string> = {}): NameValueMatch[] =>
  Object.entries(record).map(([name, value]) => ({ type: "Exact", name, value }));

function toMatch(m: MatchInput): RouteMatch {
  const [type, value] = m.path ?? ["PathPrefix", "/"];
  return {
    path: { type, value },
    method: m.method,
    headers: pairs(m.headers),
    queryParams: pairs(m.queryParams),
  };
}

function toRule(r: RuleInput): RouteRule {
  return {
    matches: (r.matches ?? [{}]).map(toMatch),
    filters: [],
    backendRefs: [{
      source: { kind: "service", name: r.backend, port: 8080 },
      weight: 1,
      filters: [],
    }],
  };
}

let nextOrder = 0;
function httpRoute(
  name: string,
  rules: RuleInput[],
  opts: { hostnames?: string[]; createdAt?: number; order?: number } = {},
): RouteSpec {
  return {
    name,
    hostnames: opts.hostnames ?? [],
    rules: rules.map(toRule),
    createdAt: opts.createdAt ?? 0,
    order: opts.order ?? nextOrder++,
  };
}

interface Req {
  host?: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
}

function view(r: Req): RequestView {
  return new RequestView({
    method: r.method ?? "GET",
    url: `http://${r.host ?? "example.com"}${r.path}`,
    headers: new Headers(r.headers ?? {}),
  });
}

function answer(table: RouteTable, r: Req): string {
  const selected = table.select(view(r));
  if (selected === undefined) return "404";
  const ref = selected.rule.backendRefs[0]!.source;
  return ref.kind === "service" ? ref.name : ref.kind;
}

/** Asserts every (request → answer) at once, so a failure shows the whole table. */
function assertAnswers(table: RouteTable, cases: [Req, string][]): void {
  const label = (r: Req) =>
    `${r.method ?? "GET"} ${r.host ?? "example.com"}${r.path} ${JSON.stringify(r.headers ?? {})}`;
  assertEquals(
    cases.map(([r]) => `${label(r)} → ${answer(table, r)}`),
    cases.map(([r, expected]) => `${label(r)} → ${expected}`),
  );
}

// Conformance: HTTPRouteMatching (tests/httproute-matching.yaml).
Deno.test("select() follows HTTPRouteMatching: prefixes by segment, headers OR'd with paths", () => {
  const table = buildRouteTable([httpRoute("matching", [
    { matches: [{ path: ["PathPrefix", "/"] }, { headers: { version: "one" } }], backend: "v1" },
    { matches: [{ path: ["PathPrefix", "/v2"] }, { headers: { version: "two" } }], backend: "v2" },
  ])]);
  assertAnswers(table, [
    [{ path: "/" }, "v1"],
    [{ path: "/example" }, "v1"],
    [{ path: "/", headers: { Version: "one" } }, "v1"],
    [{ path: "/v2" }, "v2"],
    [{ path: "/v2/example" }, "v2"],
    [{ path: "/", headers: { Version: "two" } }, "v2"],
    [{ path: "/v2/" }, "v2"],
    [{ path: "/v2example" }, "v1"], // not a segment prefix of /v2
    [{ path: "/foo/v2/example" }, "v1"],
  ]);
});

// Conformance: HTTPRouteMatchingAcrossRoutes.
Deno.test("select() follows HTTPRouteMatchingAcrossRoutes: precedence spans routes sharing a hostname", () => {
  const table = buildRouteTable([
    httpRoute("gateway-conformance-infra/matching-part1", [
      { matches: [{ path: ["PathPrefix", "/"] }, { headers: { version: "one" } }], backend: "v1" },
    ], { hostnames: ["example.com", "example.net"] }),
    httpRoute("gateway-conformance-infra/matching-part2", [
      {
        matches: [{ path: ["PathPrefix", "/v2"] }, { headers: { version: "two" } }],
        backend: "v2",
      },
    ], { hostnames: ["example.com"] }),
  ]);
  assertAnswers(table, [
    [{ host: "example.com", path: "/" }, "v1"],
    [{ host: "example.com", path: "/example" }, "v1"],
    [{ host: "example.net", path: "/example" }, "v1"],
    [{ host: "example.com", path: "/example", headers: { Version: "one" } }, "v1"],
    [{ host: "example.com", path: "/v2" }, "v2"],
    [{ host: "example.net", path: "/v2" }, "v1"], // v2's matches are limited to example.com
    [{ host: "example.com", path: "/v2/example" }, "v2"],
    [{ host: "example.com", path: "/", headers: { Version: "two" } }, "v2"],
  ]);
});

// Conformance: HTTPRouteExactPathMatching.
Deno.test("select() follows HTTPRouteExactPathMatching: whole path, case and trailing slash count", () => {
  const table = buildRouteTable([httpRoute("exact-matching", [
    { matches: [{ path: ["Exact", "/one"] }], backend: "v1" },
    { matches: [{ path: ["Exact", "/two"] }], backend: "v2" },
  ])]);
  assertAnswers(table, [
    [{ path: "/one" }, "v1"],
    [{ path: "/two" }, "v2"],
    [{ path: "/" }, "404"],
    [{ path: "/one/example" }, "404"],
    [{ path: "/two/" }, "404"],
    [{ path: "/Two" }, "404"],
  ]);
});

// Conformance: HTTPRoutePathMatchOrder.
Deno.test("select() follows HTTPRoutePathMatchOrder: Exact first, then the longest prefix", () => {
  const table = buildRouteTable([httpRoute("path-matching-order", [
    { matches: [{ path: ["Exact", "/match"] }], backend: "v1" },
    { matches: [{ path: ["Exact", "/match/exact"] }], backend: "v2" },
    { matches: [{ path: ["Exact", "/match/exact/one"] }], backend: "v3" },
    { matches: [{ path: ["PathPrefix", "/match/"] }], backend: "v3" },
    { matches: [{ path: ["PathPrefix", "/match/prefix/"] }], backend: "v1" },
    { matches: [{ path: ["PathPrefix", "/match/prefix/one"] }], backend: "v2" },
  ])]);
  assertAnswers(table, [
    [{ path: "/match/exact/one" }, "v3"],
    [{ path: "/match/exact" }, "v2"],
    [{ path: "/match" }, "v1"],
    [{ path: "/match/prefix/one/any" }, "v2"],
    [{ path: "/match/prefix/any" }, "v1"],
    [{ path: "/match/any" }, "v3"],
  ]);
});

// Conformance: HTTPRouteHeaderMatching.
Deno.test("select() follows HTTPRouteHeaderMatching: two headers beat one, ties go to rule order", () => {
  const table = buildRouteTable([httpRoute("header-matching", [
    { matches: [{ headers: { version: "one" } }], backend: "v1" },
    { matches: [{ headers: { version: "two" } }], backend: "v2" },
    { matches: [{ headers: { version: "two", color: "orange" } }], backend: "v1" },
    { matches: [{ headers: { color: "blue" } }, { headers: { color: "green" } }], backend: "v1" },
    { matches: [{ headers: { color: "red" } }, { headers: { color: "yellow" } }], backend: "v2" },
  ])]);
  assertAnswers(table, [
    [{ path: "/", headers: { Version: "one" } }, "v1"],
    [{ path: "/", headers: { Version: "two" } }, "v2"],
    [{ path: "/", headers: { Version: "two", Color: "orange" } }, "v1"],
    [{ path: "/", headers: { Version: "two", Color: "blue" } }, "v2"],
    [{ path: "/", headers: { Color: "orange" } }, "404"],
    [{ path: "/", headers: { "Some-Other-Header": "one" } }, "404"],
    [{ path: "/", headers: { Color: "blue" } }, "v1"],
    [{ path: "/", headers: { Color: "green" } }, "v1"],
    [{ path: "/", headers: { Color: "red" } }, "v2"],
    [{ path: "/", headers: { Color: "yellow" } }, "v2"],
    [{ path: "/", headers: { Color: "purple" } }, "404"],
  ]);
});

// Conformance: HTTPRouteQueryParamMatching.
Deno.test("select() follows HTTPRouteQueryParamMatching: exact names and values, more params first", () => {
  const table = buildRouteTable([httpRoute("query-param-matching", [
    { matches: [{ queryParams: { animal: "whale" } }], backend: "v1" },
    { matches: [{ queryParams: { animal: "dolphin" } }], backend: "v2" },
    {
      matches: [{ queryParams: { animal: "dolphin", color: "blue" } }, {
        queryParams: { ANIMAL: "Whale" },
      }],
      backend: "v3",
    },
    {
      matches: [{ path: ["PathPrefix", "/path1"], queryParams: { animal: "whale" } }],
      backend: "v1",
    },
    { matches: [{ headers: { version: "one" }, queryParams: { animal: "whale" } }], backend: "v2" },
    {
      matches: [{
        path: ["PathPrefix", "/path2"],
        headers: { version: "two" },
        queryParams: { animal: "whale" },
      }],
      backend: "v3",
    },
    {
      matches: [
        { path: ["PathPrefix", "/path3"], queryParams: { animal: "shark" } },
        {
          path: ["PathPrefix", "/path4"],
          headers: { version: "three" },
          queryParams: { animal: "kraken" },
        },
      ],
      backend: "v1",
    },
    { matches: [{ path: ["PathPrefix", "/path5"] }], backend: "v1" },
    { matches: [{ queryParams: { animal: "hydra" } }], backend: "v2" },
    { matches: [{ headers: { version: "four" } }], backend: "v3" },
  ])]);
  assertAnswers(table, [
    [{ path: "/?animal=whale" }, "v1"],
    [{ path: "/?animal=dolphin" }, "v2"],
    [{ path: "/?animal=dolphin&color=blue" }, "v3"],
    [{ path: "/?ANIMAL=Whale" }, "v3"],
    [{ path: "/?animal=whale&otherparam=irrelevant" }, "v1"],
    [{ path: "/?animal=dolphin&color=yellow" }, "v2"],
    [{ path: "/?color=blue" }, "404"],
    [{ path: "/?animal=dog" }, "404"],
    [{ path: "/?animal=whaledolphin" }, "404"],
    [{ path: "/" }, "404"],
    [{ path: "/path1?animal=whale" }, "v1"],
    [{ path: "/?animal=whale", headers: { version: "one" } }, "v2"],
    [{ path: "/path2?animal=whale", headers: { version: "two" } }, "v3"],
    [{ path: "/path3?animal=shark" }, "v1"],
    [{ path: "/path4?animal=kraken", headers: { version: "three" } }, "v1"],
    [{ path: "/?animal=shark" }, "404"],
    [{ path: "/path4?animal=kraken" }, "404"],
    [{ path: "/path5?animal=hydra" }, "v1"], // a longer prefix beats a query param
    [{ path: "/?animal=hydra", headers: { version: "four" } }, "v3"], // a header beats a param
  ]);
});

// Conformance: HTTPRouteMethodMatching.
Deno.test("select() follows HTTPRouteMethodMatching: a method beats headers, a longer prefix beats a method", () => {
  const table = buildRouteTable([httpRoute("method-matching", [
    { matches: [{ method: "POST" }], backend: "v1" },
    { matches: [{ method: "GET" }], backend: "v2" },
    { matches: [{ path: ["PathPrefix", "/path1"], method: "GET" }], backend: "v1" },
    { matches: [{ headers: { version: "one" }, method: "PUT" }], backend: "v2" },
    {
      matches: [{ path: ["PathPrefix", "/path2"], headers: { version: "two" }, method: "POST" }],
      backend: "v3",
    },
    {
      matches: [
        { path: ["PathPrefix", "/path3"], method: "PATCH" },
        { path: ["PathPrefix", "/path4"], headers: { version: "three" }, method: "DELETE" },
      ],
      backend: "v1",
    },
    { matches: [{ path: ["PathPrefix", "/path5"] }], backend: "v1" },
    { matches: [{ method: "PATCH" }], backend: "v2" },
    { matches: [{ headers: { version: "four" } }], backend: "v3" },
  ])]);
  assertAnswers(table, [
    [{ method: "POST", path: "/" }, "v1"],
    [{ method: "GET", path: "/" }, "v2"],
    [{ method: "HEAD", path: "/" }, "404"],
    [{ method: "GET", path: "/path1" }, "v1"],
    [{ method: "PUT", path: "/", headers: { version: "one" } }, "v2"],
    [{ method: "POST", path: "/path2", headers: { version: "two" } }, "v3"],
    [{ method: "PATCH", path: "/path3" }, "v1"],
    [{ method: "DELETE", path: "/path4", headers: { version: "three" } }, "v1"],
    [{ method: "PUT", path: "/" }, "404"],
    [{ method: "DELETE", path: "/path4" }, "404"],
    [{ method: "PATCH", path: "/path5" }, "v1"],
    [{ method: "PATCH", path: "/", headers: { version: "four" } }, "v2"],
  ]);
});

// Conformance: HTTPRouteListenerHostnameMatching, with the listeners' hostnames given to the
// routes (a route without hostnames takes its listener's, see intersectHostnames).
Deno.test("select() follows HTTPRouteListenerHostnameMatching: exact before wildcard, wildcard needs a label", () => {
  const table = buildRouteTable([
    httpRoute("backend-v1", [{ backend: "v1" }], { hostnames: ["bar.com"] }),
    httpRoute("backend-v2", [{ backend: "v2" }], { hostnames: ["foo.bar.com"] }),
    httpRoute("backend-v3", [{ backend: "v3" }], { hostnames: ["*.bar.com", "*.foo.com"] }),
  ]);
  assertAnswers(table, [
    [{ host: "bar.com", path: "/" }, "v1"],
    [{ host: "foo.bar.com", path: "/" }, "v2"],
    [{ host: "baz.bar.com", path: "/" }, "v3"],
    [{ host: "boo.bar.com", path: "/" }, "v3"],
    [{ host: "multiple.prefixes.bar.com", path: "/" }, "v3"],
    [{ host: "multiple.prefixes.foo.com", path: "/" }, "v3"],
    [{ host: "foo.com", path: "/" }, "404"],
    [{ host: "no.matching.host", path: "/" }, "404"],
  ]);
});

// Conformance: HTTPRouteHostnameIntersection, the routes' hostnames as they attach.
Deno.test("select() follows HTTPRouteHostnameIntersection: the port is ignored, hosts must match", () => {
  const table = buildRouteTable([
    httpRoute("specific-host", [{ matches: [{ path: ["PathPrefix", "/s1"] }], backend: "v1" }], {
      hostnames: ["very.specific.com"],
    }),
    httpRoute(
      "wildcard-listener",
      [{ matches: [{ path: ["PathPrefix", "/s2"] }], backend: "v2" }],
      {
        hostnames: ["foo.wildcard.io", "bar.wildcard.io", "foo.bar.wildcard.io"],
      },
    ),
    httpRoute("wildcard-route", [{ matches: [{ path: ["PathPrefix", "/s3"] }], backend: "v3" }], {
      hostnames: ["very.specific.com"], // `*.specific.com` under listener very.specific.com
    }),
    httpRoute("wildcards", [{ matches: [{ path: ["PathPrefix", "/s4"] }], backend: "v1" }], {
      hostnames: ["*.anotherwildcard.io"],
    }),
  ]);
  assertAnswers(table, [
    [{ host: "very.specific.com", path: "/s1" }, "v1"],
    [{ host: "very.specific.com:1234", path: "/s1" }, "v1"],
    [{ host: "non.matching.com", path: "/s1" }, "404"],
    [{ host: "foo.wildcard.io", path: "/s1" }, "404"],
    [{ host: "very.specific.com", path: "/non-matching-prefix" }, "404"],
    [{ host: "foo.wildcard.io", path: "/s2" }, "v2"],
    [{ host: "foo.bar.wildcard.io", path: "/s2" }, "v2"],
    [{ host: "wildcard.io", path: "/s2" }, "404"],
    [{ host: "very.specific.com", path: "/s2" }, "404"],
    [{ host: "very.specific.com", path: "/s3" }, "v3"],
    [{ host: "foo.specific.com", path: "/s3" }, "404"],
    [{ host: "foo.anotherwildcard.io", path: "/s4" }, "v1"],
    [{ host: "foo.bar.anotherwildcard.io", path: "/s4" }, "v1"],
    [{ host: "anotherwildcard.io", path: "/s4" }, "404"],
  ]);
});

Deno.test("select() prefers an exact hostname to a wildcard and a wildcard to no hostname", () => {
  const table = buildRouteTable([
    httpRoute("any-host", [{ matches: [{ path: ["Exact", "/cart"] }], backend: "catch-all" }]),
    httpRoute("wildcard", [{ backend: "wildcard" }], { hostnames: ["*.example.com"] }),
    httpRoute("deeper-wildcard", [{ backend: "deeper" }], { hostnames: ["*.eu.example.com"] }),
    httpRoute("shop", [{ matches: [{ path: ["PathPrefix", "/shop"] }], backend: "shop" }], {
      hostnames: ["shop.example.com"],
    }),
  ]);
  assertAnswers(table, [
    [{ host: "shop.example.com", path: "/shop/cart" }, "shop"],
    // Exact path /cart on the catch-all route loses to the wildcard's PathPrefix /.
    [{ host: "shop.example.com", path: "/cart" }, "wildcard"],
    [{ host: "x.eu.example.com", path: "/cart" }, "deeper"],
    [{ host: "eu.example.com", path: "/cart" }, "wildcard"],
    [{ host: "example.com", path: "/cart" }, "catch-all"], // `*.example.com` needs a label
    [{ host: "example.com", path: "/" }, "404"],
  ]);
});

Deno.test("select() falls through from an exact hostname whose rules miss to less specific ones", () => {
  const table = buildRouteTable([
    httpRoute("api", [{ matches: [{ path: ["PathPrefix", "/api"] }], backend: "api" }], {
      hostnames: ["shop.example.com"],
    }),
    httpRoute("default", [{ backend: "default" }]),
  ]);
  assertAnswers(table, [
    [{ host: "shop.example.com", path: "/api/orders" }, "api"],
    [{ host: "shop.example.com", path: "/index.html" }, "default"],
  ]);
});

Deno.test("select() reads the host without port, in any case, with or without a trailing dot", () => {
  const table = buildRouteTable([
    httpRoute("shop", [{ backend: "shop" }], { hostnames: ["shop.example.com"] }),
    httpRoute("wild", [{ backend: "wild" }], { hostnames: ["*.example.org"] }),
  ]);
  assertAnswers(table, [
    [{ host: "shop.example.com:8443", path: "/" }, "shop"],
    [{ host: "SHOP.Example.COM", path: "/" }, "shop"],
    [{ host: "shop.example.com.", path: "/" }, "shop"],
    [{ host: "Shop.Example.Com.:80", path: "/" }, "shop"],
    [{ host: "A.EXAMPLE.ORG.:8080", path: "/" }, "wild"],
    [{ host: "other.example.com", path: "/" }, "404"],
  ]);
});

Deno.test("select() matches prefixes by whole segment, with or without a trailing slash", () => {
  const table = buildRouteTable([
    httpRoute("foo", [{ matches: [{ path: ["PathPrefix", "/foo"] }], backend: "foo" }]),
    httpRoute("bar", [{ matches: [{ path: ["PathPrefix", "/bar/"] }], backend: "bar" }]),
  ]);
  assertAnswers(table, [
    [{ path: "/foo" }, "foo"],
    [{ path: "/foo/" }, "foo"],
    [{ path: "/foo/x" }, "foo"],
    [{ path: "/foobar" }, "404"],
    [{ path: "/bar" }, "bar"],
    [{ path: "/bar/" }, "bar"],
    [{ path: "/bar/x" }, "bar"],
    [{ path: "/barx" }, "404"],
  ]);
});

Deno.test("select() lets an Exact path beat a longer prefix, and a method beat none", () => {
  const table = buildRouteTable([
    httpRoute("prefix", [{
      matches: [{ path: ["PathPrefix", "/api/v1/users"] }],
      backend: "prefix",
    }]),
    httpRoute("exact", [{ matches: [{ path: ["Exact", "/api/v1/users"] }], backend: "exact" }]),
    httpRoute("any", [{ matches: [{ path: ["PathPrefix", "/api"] }], backend: "any-method" }]),
    httpRoute("post", [{
      matches: [{ path: ["PathPrefix", "/api"], method: "POST" }],
      backend: "post",
    }]),
  ]);
  assertAnswers(table, [
    [{ path: "/api/v1/users" }, "exact"],
    [{ path: "/api/v1/users/7" }, "prefix"],
    [{ path: "/api/v2", method: "POST" }, "post"],
    [{ path: "/api/v2", method: "GET" }, "any-method"],
  ]);
});

Deno.test("select() tries a RegularExpression path after Exact paths and before every prefix", () => {
  const table = buildRouteTable([
    httpRoute("site", [{ backend: "site" }]),
    httpRoute("orders", [{ matches: [{ path: ["PathPrefix", "/orders"] }], backend: "orders" }]),
    httpRoute("order-by-id", [{
      matches: [{ path: ["RegularExpression", "/orders/[0-9]+"] }],
      backend: "order-by-id",
    }]),
    httpRoute("order-42", [{ matches: [{ path: ["Exact", "/orders/42"] }], backend: "order-42" }]),
  ]);
  assertAnswers(table, [
    [{ path: "/orders/42" }, "order-42"],
    [{ path: "/orders/7" }, "order-by-id"],
    [{ path: "/orders/7/items" }, "orders"], // the expression must match the whole path
    [{ path: "/about" }, "site"],
  ]);
});

Deno.test("select() breaks a tie by the oldest route, then route order, then rule order", () => {
  const table = buildRouteTable([
    httpRoute("ns/b-newer", [{ backend: "newer" }], { createdAt: 2_000, order: 0 }),
    httpRoute("ns/z-older", [{ matches: [{ path: ["PathPrefix", "/old"] }], backend: "older" }], {
      createdAt: 1_000,
      order: 2,
    }),
    httpRoute("ns/a-same-age", [
      { matches: [{ path: ["PathPrefix", "/same"] }], backend: "first-rule" },
      { matches: [{ path: ["PathPrefix", "/same"] }], backend: "second-rule" },
    ], { createdAt: 2_000, order: 1 }),
    httpRoute("ns/c-same-age", [{ matches: [{ path: ["PathPrefix", "/same"] }], backend: "c" }], {
      createdAt: 2_000,
      order: 3,
    }),
    httpRoute("ns/y-old", [{ matches: [{ path: ["PathPrefix", "/old"] }], backend: "old-y" }], {
      createdAt: 1_500,
      order: 0,
    }),
  ]);
  assertAnswers(table, [
    [{ path: "/old" }, "older"],
    [{ path: "/same" }, "first-rule"],
    [{ path: "/" }, "newer"],
  ]);
});

Deno.test("select() decides on the path with dot segments resolved", () => {
  const table = buildRouteTable([
    httpRoute("public", [{ matches: [{ path: ["PathPrefix", "/a"] }], backend: "public" }]),
    httpRoute("admin", [{ matches: [{ path: ["PathPrefix", "/admin"] }], backend: "admin" }]),
  ]);
  assertAnswers(table, [
    [{ path: "/a/../admin" }, "admin"],
    [{ path: "/a/./b" }, "public"],
    [{ path: "/admin/../a/x" }, "public"],
    [{ path: "/a/%2e%2e/admin" }, "admin"], // %2e is a dot to every URL parser behind us
    [{ path: "/a/%2E/b" }, "public"],
  ]);
});

Deno.test("select() answers undefined when nothing matches, and for an empty table", () => {
  const table = buildRouteTable([
    httpRoute("only", [{ matches: [{ path: ["Exact", "/only"] }], backend: "only" }], {
      hostnames: ["a.example.com"],
    }),
  ]);
  assertEquals(table.select(view({ host: "a.example.com", path: "/other" })), undefined);
  assertEquals(table.select(view({ host: "b.example.com", path: "/only" })), undefined);
  assertEquals(buildRouteTable([]).select(view({ path: "/" })), undefined);
});

Deno.test("select() on the implicit single-service route returns the same selection for every request", () => {
  const implicit = httpRoute("default", [{ backend: "discovery" }]);
  const table = buildRouteTable([implicit]);
  const first = table.select(view({ host: "anything", path: "/x?y=1", method: "DELETE" }));
  assertEquals(first?.route, implicit);
  assertEquals(first?.ruleIndex, 0);
  assert(table.select(view({ path: "/" })) === first, "expected the prebuilt selection");
});

Deno.test("buildRouteTable() keeps the specs in input order and freezes them", () => {
  const specs = [httpRoute("b", [{ backend: "b" }]), httpRoute("a", [{ backend: "a" }])];
  const table = buildRouteTable(specs);
  assertEquals(table.routes.map((r) => r.name), ["b", "a"]);
  assert(Object.isFrozen(table.routes) && Object.isFrozen(table), "expected a frozen table");
  assert(Object.isFrozen(table.routes[0]!.rules[0]!.matches[0]!.path), "expected frozen specs");
});

Deno.test("select() answers with the very spec and rule objects it was built from", () => {
  // Callers key their per-route state by the spec object (a Map<RouteSpec, ...>).
  const specs = [
    httpRoute("a", [{ matches: [{ path: ["PathPrefix", "/a"] }], backend: "a" }]),
    httpRoute("b", [{ backend: "b" }], { hostnames: ["b.example.com"] }),
  ];
  const table = buildRouteTable(specs);
  const selected = table.select(view({ host: "b.example.com", path: "/" }));
  assert(selected !== undefined, "expected a selection");
  assert(selected.route === specs[1] && selected.rule === specs[1]!.rules[0], "same objects");
  assert(table.routes[0] === specs[0], "routes keeps the given specs");
});

Deno.test("select() indexes a large bucket by path yet answers like a scan", () => {
  // 40 routes on one host: the bucket is indexed (more than INDEX_THRESHOLD candidates).
  const routes = Array.from({ length: 40 }, (_, i) =>
    httpRoute(`svc-${i}`, [{
      matches: [{ path: [i % 2 === 0 ? "PathPrefix" : "Exact", `/svc/${i}`] }],
      backend: `svc-${i}`,
    }], { hostnames: ["api.example.com"] }));
  routes.push(httpRoute("regex", [{
    matches: [{ path: ["RegularExpression", "/svc/[0-9]+/special"] }],
    backend: "regex",
  }], { hostnames: ["api.example.com"] }));
  routes.push(httpRoute("odd|path", [{
    matches: [{ path: ["PathPrefix", "/a|b"] }],
    backend: "odd",
  }], { hostnames: ["api.example.com"] }));
  assert(routes.length > INDEX_THRESHOLD);
  const table = buildRouteTable(routes);
  assertAnswers(table, [
    [{ host: "api.example.com", path: "/svc/0" }, "svc-0"],
    [{ host: "api.example.com", path: "/svc/20/x" }, "svc-20"],
    [{ host: "api.example.com", path: "/svc/21" }, "svc-21"],
    [{ host: "api.example.com", path: "/svc/21/x" }, "404"],
    [{ host: "api.example.com", path: "/svc/21/special" }, "regex"],
    [{ host: "api.example.com", path: "/svc/20/special" }, "regex"], // expressions before prefixes
    [{ host: "api.example.com", path: "/a|b/c" }, "odd"],
    [{ host: "api.example.com", path: "/svc" }, "404"],
  ]);
});

Deno.test("indexPatterns() registers literal paths and sends the rest to every path", () => {
  const patterns = (type: PathMatchType, value: string) =>
    indexPatterns({ path: { type, value }, headers: [], queryParams: [] });
  assertEquals(patterns("Exact", "/a/b"), ["/a/b"]);
  assertEquals(patterns("Exact", "/a/b/"), ["/a/b/"]);
  assertEquals(patterns("PathPrefix", "/a"), ["/a", "/a/*"]);
  assertEquals(patterns("PathPrefix", "/a/"), ["/a", "/a/*"]);
  assertEquals(patterns("PathPrefix", "/"), ["*"]);
  assertEquals(patterns("RegularExpression", "/a"), ["*"]);
  for (const odd of ["/a:b", "/a*", "/{a}", "/(a)", "/a?", "/a+", "/a|b", "/é"]) {
    assertEquals(patterns("PathPrefix", odd), ["*"], odd);
  }
});

// --- Property: the indexed table answers as the naive reference does. ---

/** mulberry32: a small seeded PRNG, so a failing table can be rebuilt from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTNAMES = [
  "example.com",
  "a.example.com",
  "*.example.com",
  "*.b.example.com",
  "x.b.example.com",
];
const REQUEST_HOSTS = [
  "example.com",
  "a.example.com",
  "A.Example.com:8080",
  "b.example.com",
  "x.b.example.com.",
  "y.b.example.com",
  "other.net",
];
const PATHS = [
  "/",
  "/a",
  "/a/",
  "/a/b",
  "/ab",
  "/a/b/c",
  "/c",
  "/c/",
  "/a:b",
  "/x*y",
  "/a|b",
  "/é",
  "/%41",
  "/a.b",
];
const REQUEST_PATHS = [
  "/",
  "/a",
  "/a/",
  "/a/b",
  "/a/b/",
  "/ab",
  "/a/b/c/d",
  "/c",
  "/c/x",
  "/a:b",
  "/x*y",
  "/a|b/z",
  "/%C3%A9",
  "/a//b",
  "/x/../a/b",
  "/zzz",
  "/%41/x",
  "/a.b",
  "/axb",
  "/a/%2e%2e/c",
];
const REGEXES = ["/a.*", "/c/.+", "/[a-c]+"];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function randomMatch(rand: () => number): MatchInput {
  const kind = rand();
  const path: [PathMatchType, string] = kind < 0.35
    ? ["Exact", pick(rand, PATHS)]
    : kind < 0.9
    ? ["PathPrefix", pick(rand, PATHS)]
    : ["RegularExpression", pick(rand, REGEXES)];
  const m: MatchInput = { path };
  if (rand() < 0.2) m.method = pick(rand, ["GET", "POST"]);
  if (rand() < 0.25) m.headers = rand() < 0.5 ? { v: "1" } : { v: "1", w: "2" };
  if (rand() < 0.2) m.queryParams = rand() < 0.5 ? { q: "1" } : { q: "1", r: "2" };
  return m;
}

function randomTable(rand: () => number): RouteSpec[] {
  const count = 1 + Math.floor(rand() * 30);
  return Array.from({ length: count }, (_, i) => {
    const hostnames = rand() < 0.3 ? [] : [
      ...new Set(Array.from({ length: 1 + Math.floor(rand() * 2) }, () => pick(rand, HOSTNAMES))),
    ];
    const rules = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, r) => ({
      matches: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => randomMatch(rand)),
      backend: `r${i}.${r}`,
    }));
    return httpRoute(`ns/route-${i}`, rules, {
      hostnames,
      createdAt: Math.floor(rand() * 3),
      order: i,
    });
  });
}

/** Every applicable candidate sorted by the comparator, the first that passes: the spec, read plainly. */
function reference(specs: readonly RouteSpec[], req: RequestView): Candidate | undefined {
  const candidates: Candidate[] = [];
  for (const route of specs) {
    const hosts = route.hostnames.length === 0
      ? [undefined]
      : route.hostnames.filter((h) => hostnameMatches(h, req.host));
    for (const hostname of hosts) {
      route.rules.forEach((rule, ruleIndex) =>
        rule.matches.forEach((match, matchIndex) =>
          candidates.push({ route, hostname, ruleIndex, rule, matchIndex, match })
        )
      );
    }
  }
  return sortByPrecedence(candidates).find((c) => matchTest(c.match)(req));
}

Deno.test("select() gives the naive reference's answer for 200 random tables", () => {
  let indexedTables = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const rand = prng(seed);
    const specs = randomTable(rand);
    const table = buildRouteTable(specs);
    const perHost = new Map<string, number>();
    for (const s of specs) {
      for (const h of s.hostnames.length ? s.hostnames : [""]) {
        const n = s.rules.reduce((sum, r) => sum + r.matches.length, 0);
        perHost.set(h, (perHost.get(h) ?? 0) + n);
      }
    }
    if ([...perHost.values()].some((n) => n > INDEX_THRESHOLD)) indexedTables++;
    for (let i = 0; i < 60; i++) {
      const headers: Record<string, string> = {};
      if (rand() < 0.5) headers.v = "1";
      if (rand() < 0.5) headers.w = "2";
      const query = pick(rand, ["", "?q=1", "?q=1&r=2", "?r=2"]);
      const r: Req = {
        host: pick(rand, REQUEST_HOSTS),
        path: pick(rand, REQUEST_PATHS) + query,
        method: pick(rand, ["GET", "POST", "PUT"]),
        headers,
      };
      const expected = reference(specs, view(r));
      const got = table.select(view(r));
      const describe = (
        c: { route: RouteSpec; ruleIndex: number; match: RouteMatch } | undefined,
      ) =>
        c === undefined ? "404" : `${c.route.name} rule ${c.ruleIndex} ${JSON.stringify(c.match)}`;
      assertEquals(describe(got), describe(expected), `seed ${seed}, ${JSON.stringify(r)}`);
      if (got !== undefined) {
        assert(got.match === expected!.match, `seed ${seed}: same match object`);
      }
    }
  }
  assert(indexedTables > 100, `expected most tables to use the index, got ${indexedTables}`);
});
