import { assertEquals } from "@std/assert";
import { effectiveWeight, slowStartFactor } from "./slow_start.ts";
import { Upstream } from "./upstream.ts";

const window = { windowMs: 10_000, minPercent: 10 };

Deno.test("slowStartFactor() ramps linearly from minPercent to 1 over the window", () => {
  const joined = new Upstream("a:1", { addedAt: 1_000 });
  const table: [number, number][] = [
    [1_000, 0.1], // just joined: the floor
    [1_500, 0.1], // 5% of the window is below the floor
    [3_000, 0.2],
    [6_000, 0.5],
    [11_000, 1],
    [50_000, 1],
  ];
  for (const [now, factor] of table) {
    assertEquals(slowStartFactor(joined, now, window), factor, `at ${now}`);
  }
});

Deno.test("slowStartFactor() is 1 for first-snapshot backends and when slow start is off", () => {
  assertEquals(slowStartFactor(new Upstream("a:1"), 0, window), 1);
  assertEquals(slowStartFactor(new Upstream("a:1", { addedAt: 0 }), 0, { windowMs: 0 }), 1);
  assertEquals(slowStartFactor(new Upstream("a:1", { addedAt: 0 }), 0), 1);
});

Deno.test("effectiveWeight() multiplies the weight and treats a negative weight as 0", () => {
  assertEquals(effectiveWeight(new Upstream("a:1", { weight: 4, addedAt: 0 }), 5_000, window), 2);
  assertEquals(effectiveWeight(new Upstream("a:1", { weight: 4 }), 5_000, window), 4);
  assertEquals(effectiveWeight(new Upstream("a:1", { weight: -3 }), 0, window), 0);
  assertEquals(effectiveWeight(new Upstream("a:1", { weight: 0, addedAt: 0 }), 0, window), 0);
});
