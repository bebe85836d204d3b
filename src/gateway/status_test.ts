import { assert, assertEquals } from "@std/assert";
import { httpRouteSchema } from "./schemas.ts";
import { kubeTime, sameJson, statusPatch } from "./status.ts";
import type { ParentOutcome, RouteCondition } from "./translate.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const OPTIONS = {
  controllerName: "podgate.dev/gateway-controller",
  gatewayKey: { namespace: "podgate", name: "podgate" },
  now: Date.parse("2026-12-06T20:00:00.500Z"),
};
const OURS = { name: "podgate", namespace: "podgate" };

const accepted: RouteCondition = {
  type: "Accepted",
  status: "True",
  reason: "Accepted",
  message: "Accepted by listener http of Gateway podgate/podgate",
};
const resolved: RouteCondition = {
  type: "ResolvedRefs",
  status: "True",
  reason: "ResolvedRefs",
  message: "All references resolved",
};
const notFound: RouteCondition = {
  type: "ResolvedRefs",
  status: "False",
  reason: "BackendNotFound",
  message: "spec.rules[0].backendRefs[0]: backendRef podgate/web: Service not found",
};

const envoyEntry = {
  parentRef: { name: "eg", namespace: "envoy" },
  controllerName: "gateway.envoyproxy.io/gatewayclass-controller",
  conditions: [{
    type: "Accepted",
    status: "True",
    reason: "Accepted",
    message: "ok",
    observedGeneration: 1,
    lastTransitionTime: "2026-01-01T00:00:00Z",
  }],
  futureField: { kept: true },
};

function route(parents: Json[] | undefined, generation = 2) {
  return httpRouteSchema.parse({
    metadata: { namespace: "podgate", name: "web", resourceVersion: "700", generation },
    spec: { parentRefs: [OURS, { name: "eg", namespace: "envoy" }] },
    ...(parents ? { status: { parents } } : {}),
  });
}

const owned = (...conditions: RouteCondition[]): ParentOutcome[] => [{
  parentRef: OURS,
  conditions,
}];

Deno.test("statusPatch() adds podgate's entry after the other controllers' and keeps theirs whole", () => {
  const patch = statusPatch(route([envoyEntry]), owned(accepted, notFound), OPTIONS);
  assertEquals(
    patch?.path,
    "/apis/gateway.networking.k8s.io/v1/namespaces/podgate/httproutes/web/status",
  );
  assertEquals(patch?.body.metadata, { resourceVersion: "700" });
  assertEquals(patch?.body.status.parents, [envoyEntry, {
    parentRef: OURS,
    controllerName: OPTIONS.controllerName,
    conditions: [
      { ...accepted, observedGeneration: 2, lastTransitionTime: "2026-12-06T20:00:00Z" },
      { ...notFound, observedGeneration: 2, lastTransitionTime: "2026-12-06T20:00:00Z" },
    ],
  }]);
});

Deno.test("statusPatch() writes nothing when the status already says it (keys in any order)", () => {
  const first = statusPatch(route([envoyEntry]), owned(accepted, resolved), OPTIONS)!;
  // What the API server hands back: the same entries, keys sorted.
  const sortKeys = (v: Json): Json =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v && typeof v === "object"
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]))
      : v;
  const stored = route(sortKeys(first.body.status.parents));
  assertEquals(
    statusPatch(stored, owned(accepted, resolved), { ...OPTIONS, now: OPTIONS.now + 60_000 }),
    undefined,
  );
  // A route that is not ours and never was gets no write at all.
  assertEquals(statusPatch(route([envoyEntry]), [], OPTIONS), undefined);
  assertEquals(statusPatch(route(undefined), [], OPTIONS), undefined);
});

Deno.test("statusPatch() keeps lastTransitionTime while a condition's status holds", () => {
  const earlier = statusPatch(route([]), owned(accepted, notFound), OPTIONS)!;
  const later = { ...OPTIONS, now: OPTIONS.now + 3_600_000 };
  // A new message and generation, same statuses: the times stay.
  const reworded = { ...notFound, message: "backendRef podgate/web2: Service not found" };
  const patch = statusPatch(
    route(earlier.body.status.parents as Json[], 3),
    owned(accepted, reworded),
    later,
  )!;
  const [a, r] = patch.body.status.parents[0]!.conditions!;
  assertEquals([a?.lastTransitionTime, r?.lastTransitionTime], [
    "2026-12-06T20:00:00Z",
    "2026-12-06T20:00:00Z",
  ]);
  assertEquals([a?.observedGeneration, r?.message], [3, reworded.message]);
  // ResolvedRefs flips to True: only its time moves.
  const fixed = statusPatch(
    route(earlier.body.status.parents as Json[], 3),
    owned(accepted, resolved),
    later,
  )!;
  const [a2, r2] = fixed.body.status.parents[0]!.conditions!;
  assertEquals([a2?.lastTransitionTime, r2?.lastTransitionTime], [
    "2026-12-06T20:00:00Z",
    "2026-12-06T21:00:00Z",
  ]);
  assertEquals(r2?.status, "True");
});

Deno.test("statusPatch() removes podgate's entry when the route stops naming its Gateway", () => {
  const ours =
    statusPatch(route([envoyEntry]), owned(accepted, resolved), OPTIONS)!.body.status.parents;
  const patch = statusPatch(route(ours as Json[]), [], OPTIONS);
  assertEquals(patch?.body.status.parents, [envoyEntry]);
});

Deno.test("statusPatch() leaves an entry of podgate's controllerName for another Gateway alone", () => {
  const otherInstall = {
    parentRef: { name: "other", namespace: "team-b" },
    controllerName: OPTIONS.controllerName,
    conditions: [{ type: "Accepted", status: "True", reason: "Accepted", message: "" }],
  };
  const patch = statusPatch(route([otherInstall]), owned(accepted, resolved), OPTIONS)!;
  assertEquals(patch.body.status.parents.length, 2);
  assertEquals(patch.body.status.parents[0], otherInstall);
  assertEquals(statusPatch(route([otherInstall]), [], OPTIONS), undefined);
});

Deno.test("sameJson() ignores key order and undefined members, not array order", () => {
  assert(
    sameJson({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1, e: undefined }),
  );
  assert(!sameJson([1, 2], [2, 1]));
  assert(!sameJson({ a: 1 }, { a: 1, b: null }));
  assertEquals(kubeTime(Date.parse("2026-12-06T20:00:00.999Z")), "2026-12-06T20:00:00Z");
});
