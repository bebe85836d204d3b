import { assert, assertEquals } from "@std/assert";
import { ewma } from "./ewma.ts";
import { type PeakEwma, peakEwma } from "./peak_ewma.ts";
import { mulberry32 } from "./random_source.ts";
import { roundRobin } from "./round_robin.ts";
import type { Strategy } from "./strategy.ts";
import { Upstream } from "./upstream.ts";

/**
 * A closed world on a fake clock: one request arrives every millisecond, each backend answers
 * after its current latency, and every answer is fed back as a latency sample. Returns how many
 * requests each backend got during the run.
 */
function simulate(
  strategy: Strategy,
  upstreams: Upstream[],
  latencyOf: (u: Upstream) => number,
  world: World,
  durationMs: number,
): number[] {
  const got = upstreams.map(() => 0);
  const end = world.clock + durationMs;
  for (; world.clock < end; world.clock++) {
    const now = world.clock;
    world.pending = world.pending.filter((p) => {
      if (p.end > now) return true;
      p.u.inflight--;
      world.latency.observe(p.u, p.end - p.start);
      return false;
    });
    const u = strategy.pick(upstreams)!;
    got[upstreams.indexOf(u)]!++;
    u.inflight++;
    world.pending.push({ u, start: now, end: now + latencyOf(u) });
  }
  return got;
}

interface World {
  clock: number;
  pending: { u: Upstream; start: number; end: number }[];
  latency: PeakEwma;
}

function slowBackendWorld(decayMs?: number) {
  const upstreams = ["a:1", "b:1", "slow:1"].map((a) => new Upstream(a));
  const world: World = { clock: 0, pending: [], latency: peakEwma() };
  world.latency = peakEwma({ now: () => world.clock, ...(decayMs ? { decayMs } : {}) });
  return { upstreams, world };
}

Deno.test("ewma() sends a small share to a backend 200 ms slower than its peers", () => {
  const { upstreams, world } = slowBackendWorld();
  const strategy = ewma({ latency: world.latency, random: mulberry32(1), now: () => world.clock });
  const latency = (u: Upstream) => (u.address === "slow:1" ? 201 : 1);
  const [a, b, slow] = simulate(strategy, upstreams, latency, world, 20_000);
  assert(slow! < 20_000 * 0.02, `slow backend got ${slow} of 20000 (a ${a}, b ${b})`);
  assert(Math.abs(a! - b!) < 20_000 * 0.05, `fast backends got ${a} and ${b}`);
});

Deno.test("roundRobin() in the same world sends the slow backend a third, for contrast", () => {
  const { upstreams, world } = slowBackendWorld();
  const latency = (u: Upstream) => (u.address === "slow:1" ? 201 : 1);
  const [, , slow] = simulate(roundRobin(), upstreams, latency, world, 3_000);
  assertEquals(slow, 1_000);
});

Deno.test("ewma() gives a backend that recovered its share back once its estimate decays", () => {
  const { upstreams, world } = slowBackendWorld(2_000);
  const strategy = ewma({ latency: world.latency, random: mulberry32(4), now: () => world.clock });
  let slowMs = 201;
  const latency = (u: Upstream) => (u.address === "slow:1" ? slowMs : 1);
  simulate(strategy, upstreams, latency, world, 5_000);
  slowMs = 1;
  simulate(strategy, upstreams, latency, world, 20_000); // ten time constants to relax
  const [, , slow] = simulate(strategy, upstreams, latency, world, 6_000);
  assert(slow! > 6_000 * 0.25, `recovered backend got ${slow} of 6000`);
});

Deno.test("ewma() gives a backend without samples a typical cost, so it is not flooded", () => {
  const upstreams = ["a:1", "b:1", "new:1"].map((a) => new Upstream(a));
  const latency = peakEwma({ now: () => 0 });
  latency.observe(upstreams[0]!, 10);
  latency.observe(upstreams[1]!, 10);
  const strategy = ewma({ latency, random: mulberry32(8), now: () => 0 });
  // Nothing completes, so only the in-flight counts steer: the new backend should hold a third.
  for (let k = 0; k < 300; k++) strategy.pick(upstreams)!.inflight++;
  const fresh = upstreams[2]!.inflight;
  assert(fresh >= 90 && fresh <= 110, `new backend holds ${fresh} of 300 in flight`);
});

Deno.test("ewma() prefers the lower latency × (in-flight + 1)", () => {
  const [fast, slow] = ["fast:1", "slow:1"].map((a) => new Upstream(a));
  const latency = peakEwma({ now: () => 0 });
  latency.observe(fast!, 10);
  latency.observe(slow!, 50);
  const strategy = ewma({ latency, random: mulberry32(1), now: () => 0 });
  const table: [number, string][] = [[0, "fast:1"], [3, "fast:1"], [5, "slow:1"], [20, "slow:1"]];
  // fast costs 10 × (n + 1), slow costs 50 × 1: fast wins while n + 1 < 5 (n = 4 ties)
  for (const [inflight, expected] of table) {
    fast!.inflight = inflight;
    assertEquals(strategy.pick([fast!, slow!])?.address, expected, `fast in flight ${inflight}`);
  }
});

Deno.test("ewma() returns undefined for an empty pool", () => {
  assertEquals(ewma().pick([]), undefined);
});
