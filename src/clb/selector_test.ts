import { assert, assertEquals } from "@std/assert";
import { type LabelSelector, selectorMatches, selectorQuery } from "./selector.ts";

// The fixture Deployment's selector: matchLabels app=backend plus tier In (web, api).
const fixture: LabelSelector = {
  matchLabels: { app: "backend" },
  matchExpressions: [{ key: "tier", operator: "In", values: ["web", "api"] }],
};

Deno.test("selectorMatches() needs every matchLabels pair", () => {
  assert(selectorMatches({ matchLabels: { app: "a", env: "p" } }, { app: "a", env: "p", x: "1" }));
  assert(!selectorMatches({ matchLabels: { app: "a", env: "p" } }, { app: "a" }));
  assert(!selectorMatches({ matchLabels: { app: "a" } }, { app: "b" }));
});

Deno.test("selectorMatches() applies In to matchExpressions (the original ignored them)", () => {
  assert(selectorMatches(fixture, { app: "backend", tier: "web" }));
  assert(selectorMatches(fixture, { app: "backend", tier: "api" }));
  assert(!selectorMatches(fixture, { app: "backend", tier: "batch" }), "tier not in the set");
  assert(!selectorMatches(fixture, { app: "backend" }), "In needs the label");
});

Deno.test("selectorMatches() applies NotIn, Exists and DoesNotExist", () => {
  const notIn: LabelSelector = {
    matchExpressions: [{ key: "track", operator: "NotIn", values: ["canary"] }],
  };
  assert(selectorMatches(notIn, { track: "stable" }));
  assert(selectorMatches(notIn, {}), "a missing label is not in any set");
  assert(!selectorMatches(notIn, { track: "canary" }));

  const exists: LabelSelector = { matchExpressions: [{ key: "ready-for-lb", operator: "Exists" }] };
  assert(selectorMatches(exists, { "ready-for-lb": "" }));
  assert(!selectorMatches(exists, {}));

  const absent: LabelSelector = { matchExpressions: [{ key: "legacy", operator: "DoesNotExist" }] };
  assert(selectorMatches(absent, { app: "x" }));
  assert(!selectorMatches(absent, { legacy: "true" }));
});

Deno.test("selectorQuery() writes the API server's labelSelector syntax", () => {
  assertEquals(selectorQuery(fixture), "app=backend,tier in (api,web)");
  assertEquals(
    selectorQuery({
      matchLabels: { b: "2", a: "1" },
      matchExpressions: [
        { key: "track", operator: "NotIn", values: ["canary"] },
        { key: "lb", operator: "Exists" },
        { key: "legacy", operator: "DoesNotExist" },
      ],
    }),
    "a=1,b=2,track notin (canary),lb,!legacy",
  );
});
