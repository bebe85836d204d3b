import { assert, assertEquals } from "@std/assert";
import { leastRequest, requestCost } from "./least_request.ts";
import { mulberry32 } from "./random_source.ts";
import { Upstream } from "./upstream.ts";

const pool = (...inflight: number[]) =>
  inflight.map((n, i) => Object.assign(new Upstream(`b${i}:1`), { inflight: n }));

/** Picks `n` times, each pick staying in flight (nothing completes). */
function fill(strategy: ReturnType<typeof leastRequest>, upstreams: Upstream[], n: number) {
  for (let k = 0; k < n; k++) strategy.pick(upstreams)!.inflight++;
  return upstreams.map((u) => u.inflight);
}

Deno.test("leastRequest() strongly prefers an idle backend and never picks the busiest", () => {
  const lr = leastRequest({ random: mulberry32(11) });
  const upstreams = pool(0, 10, 10, 50);
  const seen = new Map<string, number>();
  for (let k = 0; k < 10_000; k++) {
    const address = lr.pick(upstreams)!.address;
    seen.set(address, (seen.get(address) ?? 0) + 1);
  }
  // The idle one wins whenever it is sampled: 1 - C(3,2)/C(4,2) = 50%, twice round-robin's 25%.
  const idle = seen.get("b0:1") ?? 0;
  assert(idle > 4_700 && idle < 5_300, `idle backend got ${idle} of 10000`);
  assertEquals(seen.get("b3:1"), undefined);
});

Deno.test("leastRequest() keeps in-flight counts level as requests pile up", () => {
  const levels = fill(leastRequest({ random: mulberry32(5) }), pool(0, 0, 0, 0), 1_000);
  assertEquals(levels.reduce((a, b) => a + b), 1_000);
  // Random choice would spread these by tens; two choices keep them within a few.
  assert(Math.max(...levels) - Math.min(...levels) <= 3, `in flight: ${levels}`);
});

Deno.test("leastRequest() gives a heavier backend proportionally more in flight", () => {
  const upstreams = pool(0, 0);
  upstreams[0]!.weight = 3;
  const [heavy, light] = fill(leastRequest({ random: mulberry32(9) }), upstreams, 400);
  assert(Math.abs(heavy! - 300) <= 4, `heavy ${heavy}, light ${light}`);
});

Deno.test("leastRequest() ramps a backend that joined late up over the slow-start window", () => {
  const upstreams = pool(0, 0);
  upstreams[1]!.addedAt = 0;
  const lr = leastRequest({
    random: mulberry32(2),
    now: () => 0,
    slowStart: { windowMs: 10_000, minPercent: 10 },
  });
  const [, fresh] = fill(lr, upstreams, 1_100);
  assert(Math.abs(fresh! - 100) <= 4, `fresh backend holds ${fresh} of 1100`);
});

Deno.test("requestCost() is in-flight plus one per unit of weight, infinite at weight 0", () => {
  const [u] = pool(3);
  assertEquals(requestCost(u!, 1), 4);
  assertEquals(requestCost(u!, 2), 2);
  assertEquals(requestCost(u!, 0), Infinity);
});

Deno.test("leastRequest() returns undefined for an empty pool", () => {
  assertEquals(leastRequest().pick([]), undefined);
});
