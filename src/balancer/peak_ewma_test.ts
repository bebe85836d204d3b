import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { peakEwma } from "./peak_ewma.ts";
import { Upstream } from "./upstream.ts";

const close = (actual: number | undefined, expected: number) =>
  actual !== undefined && Math.abs(actual - expected) < 1e-9;

Deno.test("peakEwma() follows peaks at once and falls back with the decay time", () => {
  let clock = 0;
  const latency = peakEwma({ decayMs: 1_000, now: () => clock });
  const u = new Upstream("a:1");
  assertEquals(latency.estimate(u), undefined);
  latency.observe(u, 20);
  assert(close(latency.estimate(u), 20), "the first sample is the estimate");
  latency.observe(u, 200);
  assert(close(latency.estimate(u), 200), "a slower sample is taken at once");
  latency.observe(u, 10);
  assert(close(latency.estimate(u), 200), "a faster sample at the same instant weighs nothing");
  clock = 1_000;
  assert(close(latency.estimate(u), 200 / Math.E), "idle, it decays by e per decayMs");
  assert(close(latency.estimate(u, 2_000), 200 / Math.E ** 2), "at a given time");
  latency.observe(u, 10);
  assert(close(latency.estimate(u), 200 / Math.E + 10 * (1 - 1 / Math.E)), "a later one blends");
  clock = 1_001;
  latency.observe(u, 500);
  assert(close(latency.estimate(u), 500), "and a new peak is taken at once again");
});

Deno.test("peakEwma() keeps its numbers on the upstream, for /info and other trackers", () => {
  const u = new Upstream("a:1");
  peakEwma({ now: () => 5 }).observe(u, 42);
  assertEquals([u.latencyMs, u.latencyAt], [42, 5]);
  assertEquals(peakEwma({ now: () => 5 }).estimate(u), 42);
});

Deno.test("peakEwma() refuses a decay time that is not positive", () => {
  const error = assertThrows(() => peakEwma({ decayMs: 0 }), RangeError);
  assertMatch(error.message, /decayMs/);
});
