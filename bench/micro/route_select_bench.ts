// What routing costs per request (issue 4): select() on the implicit single route, on 10 routes
// and on 1,000, for requests that take the first candidate, one in the middle, and none. Each
// group's baseline is the work every request pays anyway: a RequestView and its host and path.
// Run: deno bench -A bench/micro/route_select_bench.ts
import { type Candidate, sortByPrecedence } from "../../src/routes/precedence.ts";
import { matchTest } from "../../src/routes/request_match.ts";
import { RequestView } from "../../src/routes/request_view.ts";
import { buildRouteTable } from "../../src/routes/table.ts";
import type { PathMatchType, RouteSpec } from "../../src/routes/types.ts";

function route(
  name: string,
  hostnames: string[],
  path: [PathMatchType, string],
  order: number,
): RouteSpec {
  return {
    name,
    hostnames,
    rules: [{
      matches: [{ path: { type: path[0], value: path[1] }, headers: [], queryParams: [] }],
      filters: [],
      backendRefs: [{ source: { kind: "discovery" }, weight: 1, filters: [] }],
    }],
    createdAt: 0,
    order,
  };
}

const NO_HEADERS = new Headers();
const request = (url: string) => ({ method: "GET", url, headers: NO_HEADERS });

function mustSelect(specs: RouteSpec[], url: string, expected: string | undefined): void {
  const got = buildRouteTable(specs).select(new RequestView(request(url)))?.route.name;
  if (got !== expected) throw new Error(`Cannot bench ${url}: selected ${got}, not ${expected}`);
}

// The implicit route of a single-service config.
const implicit = buildRouteTable([route("default", [], ["PathPrefix", "/"], 0)]);
const anyRequest = request("http://shop.example.com/products/42?ref=home");

Deno.bench("baseline: RequestView + host + path", { group: "1 route", baseline: true }, () => {
  const view = new RequestView(anyRequest);
  if (view.host.length + view.path.length === 0) throw new Error("unreachable");
});

Deno.bench("select() on the implicit catch-all", { group: "1 route" }, () => {
  if (implicit.select(new RequestView(anyRequest)) === undefined) throw new Error("no route");
});

// 10 routes: exact hosts, a wildcard, and catch-all prefixes.
const tenSpecs = [
  route("shop-api", ["shop.example.com"], ["PathPrefix", "/api"], 0),
  route("shop-cart", ["shop.example.com"], ["Exact", "/cart"], 1),
  route("shop", ["shop.example.com"], ["PathPrefix", "/"], 2),
  route("admin", ["admin.example.com"], ["PathPrefix", "/"], 3),
  route("tenants", ["*.tenants.example.com"], ["PathPrefix", "/"], 4),
  route("static", [], ["PathPrefix", "/static"], 5),
  route("images", [], ["PathPrefix", "/images"], 6),
  route("health", [], ["Exact", "/healthz"], 7),
  route("docs", [], ["PathPrefix", "/docs"], 8),
  route("legacy", [], ["RegularExpression", "/legacy/[0-9]+"], 9),
];
const ten = buildRouteTable(tenSpecs);
const tenFirst = request("http://shop.example.com/cart");
const tenMiddle = request("http://acme.tenants.example.com/app/index.html");
const tenNone = request("http://unknown.example.net/nothing/here");
mustSelect(tenSpecs, tenFirst.url, "shop-cart");
mustSelect(tenSpecs, tenMiddle.url, "tenants");
mustSelect(tenSpecs, tenNone.url, undefined);

Deno.bench("baseline: RequestView + host + path", { group: "10 routes", baseline: true }, () => {
  const view = new RequestView(tenMiddle);
  if (view.host.length + view.path.length === 0) throw new Error("unreachable");
});

Deno.bench("select(), first candidate", { group: "10 routes" }, () => {
  ten.select(new RequestView(tenFirst));
});

Deno.bench("select(), wildcard host (middle)", { group: "10 routes" }, () => {
  ten.select(new RequestView(tenMiddle));
});

Deno.bench("select(), no route", { group: "10 routes" }, () => {
  ten.select(new RequestView(tenNone));
});

// 1,000 routes: 500 services on their own hosts, 300 prefixes under one API host (an indexed
// bucket), 100 tenant wildcards, 100 catch-all prefixes (another indexed bucket).
const thousandSpecs: RouteSpec[] = [];
for (let i = 0; i < 500; i++) {
  thousandSpecs.push(route(`host-${i}`, [`svc-${i}.example.com`], ["PathPrefix", "/"], i));
}
for (let i = 0; i < 300; i++) {
  const path: [PathMatchType, string] = i % 3 === 0
    ? ["Exact", `/v1/svc-${i}`]
    : ["PathPrefix", `/v1/svc-${i}`];
  thousandSpecs.push(route(`api-${i}`, ["api.example.com"], path, 500 + i));
}
for (let i = 0; i < 100; i++) {
  thousandSpecs.push(
    route(`tenant-${i}`, [`*.tenant-${i}.example.com`], ["PathPrefix", "/"], 800 + i),
  );
}
for (let i = 0; i < 100; i++) {
  thousandSpecs.push(route(`static-${i}`, [], ["PathPrefix", `/static-${i}`], 900 + i));
}
const thousand = buildRouteTable(thousandSpecs);

// The API host's bucket in precedence order, as the table keeps it: what a scan would try.
const apiBucket = sortByPrecedence(
  thousandSpecs.filter((r) => r.hostnames[0] === "api.example.com").map((r): Candidate => ({
    route: r,
    hostname: "api.example.com",
    ruleIndex: 0,
    rule: r.rules[0]!,
    matchIndex: 0,
    match: r.rules[0]!.matches[0]!,
  })),
).map((candidate) => ({ candidate, test: matchTest(candidate.match) }));
const at = (i: number) => apiBucket[i]!.candidate;

const thousandFirst = request(`http://api.example.com${at(0).match.path.value}`);
const thousandMiddle = request(`http://api.example.com${at(150).match.path.value}`);
const thousandHost = request("http://svc-250.example.com/orders/7");
const thousandNone = request("http://api.example.com/v2/nothing");
mustSelect(thousandSpecs, thousandFirst.url, at(0).route.name);
mustSelect(thousandSpecs, thousandMiddle.url, at(150).route.name);
mustSelect(thousandSpecs, thousandHost.url, "host-250");
mustSelect(thousandSpecs, thousandNone.url, undefined);

Deno.bench("baseline: RequestView + host + path", { group: "1000 routes", baseline: true }, () => {
  const view = new RequestView(thousandMiddle);
  if (view.host.length + view.path.length === 0) throw new Error("unreachable");
});

Deno.bench("select(), first candidate of a 300-route host", { group: "1000 routes" }, () => {
  thousand.select(new RequestView(thousandFirst));
});

Deno.bench("select(), middle candidate of a 300-route host", { group: "1000 routes" }, () => {
  thousand.select(new RequestView(thousandMiddle));
});

Deno.bench("select(), one of 500 exact hosts", { group: "1000 routes" }, () => {
  thousand.select(new RequestView(thousandHost));
});

Deno.bench("select(), no route", { group: "1000 routes" }, () => {
  thousand.select(new RequestView(thousandNone));
});

Deno.bench("no index: scan the 300-route bucket in order (middle)", {
  group: "1000 routes",
}, () => {
  const view = new RequestView(thousandMiddle);
  for (let i = 0; i < apiBucket.length; i++) if (apiBucket[i]!.test(view)) break;
});
