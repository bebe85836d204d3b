import { assert, assertEquals } from "@std/assert";
import {
  type Gateway,
  gatewaySchema,
  type HttpRoute,
  httpRouteSchema,
  type ReferenceGrant,
  referenceGrantSchema,
  type Service,
  serviceSchema,
} from "./schemas.ts";
import { type RouteOutcome, type TranslateInput, translateRoutes } from "./translate.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const GW = { namespace: "podgate", name: "podgate" };

function gateway(listeners: Json[] = [{ name: "http", port: 80, protocol: "HTTP" }]): Gateway {
  return gatewaySchema.parse({
    metadata: { namespace: GW.namespace, name: GW.name },
    spec: { gatewayClassName: "podgate", listeners },
  });
}

function route(namespace: string, name: string, spec: Json, created = "2026-01-01T00:00:00Z") {
  return httpRouteSchema.parse({
    metadata: { namespace, name, generation: 1, creationTimestamp: created },
    spec: { parentRefs: [{ name: "podgate", namespace: "podgate" }], ...spec },
  });
}

function service(namespace: string, name: string, ports: Json[] = [{ name: "http", port: 80 }]) {
  return serviceSchema.parse({ metadata: { namespace, name }, spec: { ports } });
}

function grant(namespace: string, from: string, toName?: string): ReferenceGrant {
  return referenceGrantSchema.parse({
    metadata: { namespace, name: `from-${from}` },
    spec: {
      from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: from }],
      to: [{ group: "", kind: "Service", ...(toName ? { name: toName } : {}) }],
    },
  });
}

const toService = (name: string, port = 80) => ({ rules: [{ backendRefs: [{ name, port }] }] });

function translate(input: Partial<TranslateInput> & { routes: HttpRoute[] }, sectionName?: string) {
  const full: TranslateInput = {
    gateway: "gateway" in input ? input.gateway : gateway(),
    services: input.services ?? [service("podgate", "web"), service("shop", "web")],
    grants: input.grants ?? [],
    routes: input.routes,
  };
  return translateRoutes(full, { gatewayKey: GW, sectionName });
}

const condition = (outcome: RouteOutcome | undefined, type: string, parent = 0) =>
  outcome?.parents[parent]?.conditions.find((c) => c.type === type);

Deno.test("translateRoutes() serves a route naming the Gateway, with the CRD's defaults", () => {
  const { routes, outcomes } = translate({ routes: [route("podgate", "web", toService("web"))] });
  assertEquals(routes, [{
    name: "podgate/web",
    hostnames: [],
    rules: [{
      matches: [{ path: { type: "PathPrefix", value: "/" }, headers: [], queryParams: [] }],
      filters: [],
      backendRefs: [{
        source: { kind: "service", namespace: "podgate", name: "web", port: "http" },
        weight: 1,
        filters: [],
      }],
    }],
    createdAt: Date.parse("2026-01-01T00:00:00Z"),
    order: 0,
  }]);
  assert(Object.isFrozen(routes[0]!.rules[0]));
  assertEquals(condition(outcomes[0], "Accepted")?.status, "True");
  assertEquals(condition(outcomes[0], "Accepted")?.reason, "Accepted");
  assertEquals(condition(outcomes[0], "ResolvedRefs")?.reason, "ResolvedRefs");
});

Deno.test("translateRoutes() ignores a route whose parentRefs name another Gateway", () => {
  const other = route("podgate", "other", {
    ...toService("web"),
    parentRefs: [{ name: "envoy" }, { name: "podgate", namespace: "elsewhere" }],
  });
  const { routes, outcomes } = translate({ routes: [other] });
  assertEquals(routes, []);
  assertEquals(outcomes[0]?.parents, []);
});

Deno.test("translateRoutes() takes routes of other namespaces only from a listener that allows All", () => {
  const shop = route("shop", "web", toService("web"));
  const same = translate({ routes: [shop] });
  assertEquals(same.routes, []);
  assertEquals(condition(same.outcomes[0], "Accepted")?.reason, "NotAllowedByListeners");

  const all = translate({
    routes: [shop],
    gateway: gateway([{
      name: "http",
      port: 80,
      protocol: "HTTP",
      allowedRoutes: { namespaces: { from: "All" } },
    }]),
  });
  assertEquals(all.routes.map((r) => r.name), ["shop/web"]);
  assertEquals(condition(all.outcomes[0], "Accepted")?.status, "True");
});

Deno.test("translateRoutes() says a namespace Selector is unsupported", () => {
  const { routes, outcomes } = translate({
    routes: [route("shop", "web", toService("web"))],
    gateway: gateway([{
      name: "http",
      port: 80,
      protocol: "HTTP",
      allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { a: "b" } } } },
    }]),
  });
  assertEquals(routes, []);
  const accepted = condition(outcomes[0], "Accepted");
  assertEquals([accepted?.status, accepted?.reason], ["False", "NotAllowedByListeners"]);
  assert(accepted?.message.includes("Selector"), accepted?.message);
});

Deno.test("translateRoutes() keeps the hostnames within the listener's, refuses a route with none", () => {
  const listener = [{ name: "http", port: 80, protocol: "HTTP", hostname: "*.example.com" }];
  const some = route("podgate", "some", {
    ...toService("web"),
    hostnames: ["shop.example.com", "shop.example.net", "*.com"],
  });
  const none = route("podgate", "none", { ...toService("web"), hostnames: ["example.com"] });
  const bare = route("podgate", "bare", toService("web"));
  const { routes, outcomes } = translate({
    routes: [some, none, bare],
    gateway: gateway(listener),
  });
  assertEquals(
    routes.map((r) => [r.name, r.hostnames]),
    [["podgate/bare", ["*.example.com"]], ["podgate/some", ["*.example.com", "shop.example.com"]]],
  );
  const refused = condition(outcomes.find((o) => o.key === "podgate/none"), "Accepted");
  assertEquals([refused?.status, refused?.reason], ["False", "NoMatchingListenerHostname"]);
});

Deno.test("translateRoutes() answers NoMatchingParent for a missing Gateway or listener", () => {
  const web = route("podgate", "web", toService("web"));
  const gone = translate({ routes: [web], gateway: undefined });
  assertEquals(gone.routes, []);
  assertEquals(condition(gone.outcomes[0], "Accepted")?.reason, "NoMatchingParent");

  const section = route("podgate", "web", {
    ...toService("web"),
    parentRefs: [{ name: "podgate", sectionName: "https" }],
  });
  const missing = translate({ routes: [section] });
  assertEquals(condition(missing.outcomes[0], "Accepted")?.reason, "NoMatchingParent");

  // podgate configured for one listener: a ref to another gets no attachment.
  const twoListeners = gateway([
    { name: "http", port: 80, protocol: "HTTP" },
    { name: "other", port: 81, protocol: "HTTP" },
  ]);
  const toOther = route("podgate", "web", {
    ...toService("web"),
    parentRefs: [{ name: "podgate", sectionName: "other" }],
  });
  const served = translate({ routes: [toOther], gateway: twoListeners }, "http");
  assertEquals(served.routes, []);
  assertEquals(condition(served.outcomes[0], "Accepted")?.reason, "NoMatchingParent");
});

Deno.test("translateRoutes() refuses a listener that is not HTTP", () => {
  const { routes, outcomes } = translate({
    routes: [route("podgate", "web", toService("web"))],
    gateway: gateway([{ name: "https", port: 443, protocol: "HTTPS" }]),
  });
  assertEquals(routes, []);
  assertEquals(condition(outcomes[0], "Accepted")?.reason, "NotAllowedByListeners");
});

Deno.test("translateRoutes() keeps a route with a missing Service: Accepted, ResolvedRefs False BackendNotFound", () => {
  const { routes, outcomes } = translate({
    routes: [route("podgate", "web", toService("missing"))],
  });
  assertEquals(routes[0]?.rules[0]?.backendRefs[0]?.source.kind, "invalid");
  assertEquals(
    (routes[0]?.rules[0]?.backendRefs[0]?.source as { reason: string }).reason,
    "BackendNotFound",
  );
  assertEquals(condition(outcomes[0], "Accepted")?.status, "True");
  const refs = condition(outcomes[0], "ResolvedRefs");
  assertEquals([refs?.status, refs?.reason], ["False", "BackendNotFound"]);
  assert(refs?.message.includes("podgate/missing"), refs?.message);
});

Deno.test("translateRoutes() needs a ReferenceGrant for a Service in another namespace", () => {
  const cross = route("podgate", "web", {
    rules: [{ backendRefs: [{ name: "web", namespace: "shop", port: 80 }] }],
  });
  const before = translate({ routes: [cross] });
  assertEquals(condition(before.outcomes[0], "ResolvedRefs")?.reason, "RefNotPermitted");
  assertEquals(before.routes[0]?.rules[0]?.backendRefs[0]?.source.kind, "invalid");

  // A grant elsewhere, or for another Service, does not help.
  const wrong = translate({
    routes: [cross],
    grants: [grant("podgate", "podgate"), grant("shop", "podgate", "api")],
  });
  assertEquals(condition(wrong.outcomes[0], "ResolvedRefs")?.reason, "RefNotPermitted");

  const after = translate({ routes: [cross], grants: [grant("shop", "podgate", "web")] });
  assertEquals(condition(after.outcomes[0], "ResolvedRefs")?.status, "True");
  assertEquals(after.routes[0]?.rules[0]?.backendRefs[0]?.source, {
    kind: "service",
    namespace: "shop",
    name: "web",
    port: "http",
  });
});

Deno.test("translateRoutes() marks a backendRef of another kind InvalidKind", () => {
  const { routes, outcomes } = translate({
    routes: [route("podgate", "web", {
      rules: [{
        backendRefs: [
          { name: "web", port: 80, weight: 3 },
          { group: "multicluster.x-k8s.io", kind: "ServiceImport", name: "web", port: 80 },
        ],
      }],
    })],
  });
  const refs = routes[0]!.rules[0]!.backendRefs;
  assertEquals(refs.map((r) => [r.source.kind, r.weight]), [["service", 3], ["invalid", 1]]);
  assertEquals(condition(outcomes[0], "ResolvedRefs")?.reason, "InvalidKind");
  assertEquals(condition(outcomes[0], "Accepted")?.status, "True");
});

Deno.test("translateRoutes() resolves the Service port to the endpoints' port", () => {
  const services = [
    service("podgate", "named", [{ name: "web", port: 80, targetPort: "http" }]),
    service("podgate", "plain", [{ port: 80, targetPort: 8080 }]),
    service("podgate", "udp", [{ port: 80, protocol: "UDP" }]),
  ];
  const { routes, outcomes } = translate({
    services,
    routes: [
      route("podgate", "a", {
        rules: [{
          backendRefs: [
            { name: "named", port: 80 },
            { name: "plain", port: 80 },
            { name: "plain", port: 81 },
          ],
        }],
      }),
      route("podgate", "b", toService("udp")),
    ],
  });
  const sources = routes[0]!.rules[0]!.backendRefs.map((r) => r.source);
  assertEquals(sources[0], { kind: "service", namespace: "podgate", name: "named", port: "web" });
  assertEquals(sources[1], { kind: "service", namespace: "podgate", name: "plain", port: 8080 });
  assertEquals(sources[2]?.kind, "invalid");
  assertEquals(condition(outcomes[1], "ResolvedRefs")?.reason, "UnsupportedProtocol");
});

Deno.test("translateRoutes() translates the filters podgate implements", () => {
  const { routes, outcomes } = translate({
    routes: [route("podgate", "web", {
      rules: [{
        name: "main",
        matches: [{
          path: { type: "Exact", value: "/login" },
          method: "POST",
          headers: [{ name: "x-env", value: "canary" }],
          queryParams: [{ type: "RegularExpression", name: "v", value: "[0-9]+" }],
        }],
        filters: [
          {
            type: "RequestHeaderModifier",
            requestHeaderModifier: { set: [{ name: "a", value: "1" }] },
          },
          { type: "ResponseHeaderModifier", responseHeaderModifier: { remove: ["server"] } },
        ],
        backendRefs: [{ name: "web", port: 80 }],
      }, {
        matches: [{ path: { type: "PathPrefix", value: "/old" } }],
        filters: [{
          type: "RequestRedirect",
          requestRedirect: {
            scheme: "https",
            path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/new" },
          },
        }],
      }, {
        filters: [{ type: "URLRewrite", urlRewrite: { hostname: "internal" } }],
        backendRefs: [{ name: "web", port: 80 }],
      }],
    })],
  });
  const [main, redirect, rewrite] = routes[0]!.rules;
  assertEquals(main?.name, "main");
  assertEquals(main?.matches, [{
    path: { type: "Exact", value: "/login" },
    method: "POST",
    headers: [{ type: "Exact", name: "x-env", value: "canary" }],
    queryParams: [{ type: "RegularExpression", name: "v", value: "[0-9]+" }],
  }]);
  assertEquals(main?.filters, [
    {
      type: "RequestHeaderModifier",
      requestHeaderModifier: { set: [{ name: "a", value: "1" }], add: [], remove: [] },
    },
    {
      type: "ResponseHeaderModifier",
      responseHeaderModifier: { set: [], add: [], remove: ["server"] },
    },
  ]);
  assertEquals(redirect?.filters, [{
    type: "RequestRedirect",
    requestRedirect: {
      statusCode: 302,
      scheme: "https",
      path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/new" },
    },
  }]);
  assertEquals(redirect?.backendRefs, []);
  assertEquals(rewrite?.filters, [{ type: "URLRewrite", urlRewrite: { hostname: "internal" } }]);
  assertEquals(condition(outcomes[0], "Accepted")?.status, "True");
});

Deno.test("translateRoutes() keeps an unsupported filter (500s) and reports UnsupportedValue", () => {
  const { routes, outcomes } = translate({
    routes: [route("podgate", "web", {
      rules: [{
        filters: [{
          type: "RequestMirror",
          requestMirror: { backendRef: { name: "web", port: 80 } },
        }],
        backendRefs: [{ name: "web", port: 80 }],
      }, {
        matches: [{ path: { type: "Glob", value: "/x*" } }],
        backendRefs: [{ name: "web", port: 80 }],
      }],
    })],
  });
  // The mirror's rule stays and answers 500; the rule with an unknown path type is dropped.
  assertEquals(routes[0]?.rules.length, 1);
  assertEquals(routes[0]?.rules[0]?.filters, [{ type: "Unsupported", name: "RequestMirror" }]);
  const accepted = condition(outcomes[0], "Accepted");
  assertEquals([accepted?.status, accepted?.reason], ["False", "UnsupportedValue"]);
  assert(accepted?.message.includes("RequestMirror"), accepted?.message);
  assert(accepted?.message.includes("Glob"), accepted?.message);
});

Deno.test("translateRoutes() orders by namespace/name and carries the creation time for precedence", () => {
  const { routes } = translate({
    routes: [
      route("shop", "b", toService("web"), "2026-03-01T00:00:00Z"),
      route("podgate", "z", toService("web"), "2026-01-01T00:00:00Z"),
      route("podgate", "a", toService("web"), "2026-02-01T00:00:00Z"),
    ],
    gateway: gateway([{
      name: "http",
      port: 80,
      protocol: "HTTP",
      allowedRoutes: { namespaces: { from: "All" } },
    }]),
  });
  assertEquals(
    routes.map((r) => [r.name, r.order, new Date(r.createdAt).toISOString().slice(0, 7)]),
    [["podgate/a", 0, "2026-02"], ["podgate/z", 1, "2026-01"], ["shop/b", 2, "2026-03"]],
  );
});

Deno.test("translateRoutes() parses objects with fields it does not know", () => {
  const withExtras = httpRouteSchema.parse({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { namespace: "podgate", name: "web", managedFields: [{}] },
    spec: {
      parentRefs: [{ name: "podgate", group: "gateway.networking.k8s.io", kind: "Gateway" }],
      rules: [{ backendRefs: [{ name: "web", port: 80 }], timeouts: { request: "10s" } }],
      futureField: true,
    },
  });
  const { routes } = translate({ routes: [withExtras] });
  assertEquals(routes.map((r) => r.name), ["podgate/web"]);
  const svc: Service = service("podgate", "web");
  assertEquals(svc.spec.ports[0]?.name, "http");
});

Deno.test("translateRoutes() honours allowedRoutes.kinds and a parentRef's port", () => {
  const grpcOnly = gateway([{
    name: "http",
    port: 80,
    protocol: "HTTP",
    allowedRoutes: { kinds: [{ kind: "GRPCRoute" }] },
  }]);
  const kinds = translate({
    routes: [route("podgate", "web", toService("web"))],
    gateway: grpcOnly,
  });
  assertEquals(condition(kinds.outcomes[0], "Accepted")?.reason, "NotAllowedByListeners");

  const onPort = (port: number) =>
    route("podgate", "web", { ...toService("web"), parentRefs: [{ name: "podgate", port }] });
  assertEquals(
    condition(translate({ routes: [onPort(80)] }).outcomes[0], "Accepted")?.status,
    "True",
  );
  assertEquals(
    condition(translate({ routes: [onPort(8080)] }).outcomes[0], "Accepted")?.reason,
    "NoMatchingParent",
  );
});
