import { assert, assertEquals } from "@std/assert";
import type { Strategy } from "./strategy.ts";
import { Upstream } from "./upstream.ts";
import { weightedRoundRobin } from "./weighted_round_robin.ts";

const weighted = (spec: Record<string, number>) =>
  Object.entries(spec).map(([address, weight]) => new Upstream(address, { weight }));
const picks = (strategy: Strategy, upstreams: readonly Upstream[], n: number) =>
  Array.from({ length: n }, () => strategy.pick(upstreams)?.address);
const counts = (addresses: (string | undefined)[]) => {
  const out: Record<string, number> = {};
  for (const a of addresses) out[a ?? "-"] = (out[a ?? "-"] ?? 0) + 1;
  return out;
};

Deno.test("weightedRoundRobin() gives nginx's smooth sequence for weights 5,1,1", () => {
  const wrr = weightedRoundRobin();
  const pool = weighted({ a: 5, b: 1, c: 1 });
  const cycle = ["a", "a", "b", "a", "c", "a", "a"];
  assertEquals(picks(wrr, pool, 14), [...cycle, ...cycle]);
});

Deno.test("weightedRoundRobin() shares picks exactly by weight over whole cycles", () => {
  const table: [Record<string, number>, number, Record<string, number>][] = [
    [{ a: 1, b: 1, c: 1 }, 300, { a: 100, b: 100, c: 100 }],
    [{ a: 3, b: 1 }, 400, { a: 300, b: 100 }],
    [{ a: 2, b: 3, c: 5 }, 1_000, { a: 200, b: 300, c: 500 }],
    [{ a: 1, b: 0 }, 10, { a: 10 }],
    [{ a: 0, b: 0 }, 10, { a: 5, b: 5 }],
  ];
  for (const [spec, n, expected] of table) {
    assertEquals(
      counts(picks(weightedRoundRobin(), weighted(spec), n)),
      expected,
      JSON.stringify(spec),
    );
  }
});

Deno.test("weightedRoundRobin() handles empty, single and shrinking pools", () => {
  const wrr = weightedRoundRobin();
  assertEquals(wrr.pick([]), undefined);
  assertEquals(picks(wrr, weighted({ a: 5 }), 2), ["a", "a"]);
  const pool = weighted({ a: 2, b: 1, c: 1 });
  picks(wrr, pool, 3);
  assertEquals(counts(picks(wrr, pool.slice(1), 10)), { b: 5, c: 5 });
});

Deno.test("weightedRoundRobin() ramps a backend that joined late up over the slow-start window", () => {
  let clock = 0;
  const wrr = weightedRoundRobin({
    now: () => clock,
    slowStart: { windowMs: 10_000, minPercent: 10 },
  });
  const old = new Upstream("old");
  const fresh = new Upstream("fresh", { addedAt: 0 });
  const shareAt = (time: number) => {
    clock = time;
    return counts(picks(wrr, [old, fresh], 1_100)).fresh ?? 0;
  };
  // weight factor 0.1, 0.5, then 1: shares 1/11, 1/3, 1/2 of 1,100 picks
  const early = shareAt(0);
  const middle = shareAt(5_000);
  const done = shareAt(10_000);
  assert(Math.abs(early - 100) <= 2, `early share ${early}`);
  assert(Math.abs(middle - 367) <= 2, `middle share ${middle}`);
  assert(Math.abs(done - 550) <= 2, `settled share ${done}`);
});
