import { assert, assertEquals } from "@std/assert";
import { powerOfTwo } from "./power_of_two.ts";
import { mulberry32 } from "./random_source.ts";
import { Upstream } from "./upstream.ts";

const pool = (n: number) => Array.from({ length: n }, (_, i) => new Upstream(`b${i}:1`));

Deno.test("powerOfTwo() samples two distinct backends and keeps the cheaper", () => {
  const upstreams = pool(3);
  const cost = new Map(upstreams.map((u, i) => [u, [5, 1, 9][i]!]));
  // The first draw indexes all three, the second the two left over (skipping the first).
  const table: [number[], string][] = [
    [[0, 0], "b1:1"], // b0 vs b1 (0 is skipped): b1 is cheaper
    [[0, 0.99], "b0:1"], // b0 vs b2: b0 is cheaper
    [[0.99, 0], "b0:1"], // b2 vs b0
    [[0.5, 0.99], "b1:1"], // b1 vs b2
  ];
  for (const [draws, expected] of table) {
    const queue = [...draws];
    const random = () => queue.shift()!;
    assertEquals(powerOfTwo(upstreams, (u) => cost.get(u)!, random)?.address, expected);
  }
});

Deno.test("powerOfTwo() never samples the same backend twice", () => {
  const upstreams = pool(2);
  const random = mulberry32(1);
  for (let k = 0; k < 1_000; k++) {
    // b1 is dearer: it would only win if it were drawn twice
    assertEquals(powerOfTwo(upstreams, (u) => (u === upstreams[1] ? 1 : 0), random), upstreams[0]);
  }
});

Deno.test("powerOfTwo() handles empty and single pools without drawing", () => {
  const random = () => {
    throw new Error("no draw expected");
  };
  assertEquals(powerOfTwo([], () => 0, random), undefined);
  const [only] = pool(1);
  assertEquals(powerOfTwo([only!], () => 0, random), only);
});

Deno.test("powerOfTwo() samples every backend about equally when costs tie", () => {
  const upstreams = pool(4);
  const random = mulberry32(3);
  const seen = new Map<Upstream, number>();
  for (let k = 0; k < 40_000; k++) {
    const u = powerOfTwo(upstreams, () => 1, random)!;
    seen.set(u, (seen.get(u) ?? 0) + 1);
  }
  for (const u of upstreams) {
    const n = seen.get(u) ?? 0;
    assert(Math.abs(n - 10_000) < 600, `${u.address} got ${n} of 40000`);
  }
});
