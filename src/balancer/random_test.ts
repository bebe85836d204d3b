import { assert, assertEquals } from "@std/assert";
import { randomChoice } from "./random.ts";
import { mulberry32 } from "./random_source.ts";
import type { Strategy } from "./strategy.ts";
import { Upstream } from "./upstream.ts";

const weighted = (...weights: number[]) =>
  weights.map((weight, i) => new Upstream(`b${i}:1`, { weight }));

function shares(strategy: Strategy, upstreams: Upstream[], n: number): number[] {
  const got = upstreams.map(() => 0);
  for (let k = 0; k < n; k++) got[upstreams.indexOf(strategy.pick(upstreams)!)]!++;
  return got.map((g) => g / n);
}

Deno.test("randomChoice() spreads picks evenly or by weight", () => {
  const table: [number[], number[]][] = [
    [[1, 1, 1], [1 / 3, 1 / 3, 1 / 3]],
    [[2, 1, 1], [0.5, 0.25, 0.25]],
    [[1, 0, 3], [0.25, 0, 0.75]],
    [[0, 0], [0.5, 0.5]],
  ];
  for (const [weights, expected] of table) {
    const got = shares(randomChoice({ random: mulberry32(21) }), weighted(...weights), 30_000);
    got.forEach((share, i) => {
      assert(Math.abs(share - expected[i]!) < 0.015, `weights ${weights}: ${got} vs ${expected}`);
    });
  }
});

Deno.test("randomChoice() ramps a backend that joined late up over the slow-start window", () => {
  const upstreams = weighted(1, 1);
  upstreams[1]!.addedAt = 0;
  const strategy = randomChoice({
    random: mulberry32(6),
    now: () => 2_500,
    slowStart: { windowMs: 10_000 },
  });
  const [, fresh] = shares(strategy, upstreams, 30_000);
  // factor 0.25: 0.25 / 1.25 of the picks
  assert(Math.abs(fresh! - 0.2) < 0.015, `fresh share ${fresh}`);
});

Deno.test("randomChoice() draws once per pick from the injected source", () => {
  let draws = 0;
  const strategy = randomChoice({ random: () => (draws++, 0.99) });
  assertEquals(strategy.pick(weighted(1, 1, 1))?.address, "b2:1");
  assertEquals(strategy.pick(weighted(1, 1, 2))?.address, "b2:1");
  assertEquals(draws, 2);
});

Deno.test("randomChoice() handles empty and single pools", () => {
  assertEquals(randomChoice().pick([]), undefined);
  assertEquals(randomChoice().pick(weighted(0))?.address, "b0:1");
});
