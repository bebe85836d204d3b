import { assertEquals } from "@std/assert";
import { roundRobin } from "./round_robin.ts";
import { Upstream } from "./upstream.ts";

const pool = (...names: string[]) => names.map((n) => new Upstream(n));
const picks = (strategy: ReturnType<typeof roundRobin>, upstreams: Upstream[], n: number) =>
  Array.from({ length: n }, () => strategy.pick(upstreams)?.address);

Deno.test("roundRobin() rotates from the first backend and wraps around", () => {
  const rr = roundRobin();
  assertEquals(picks(rr, pool("a", "b", "c"), 4), ["a", "b", "c", "a"]);
});

Deno.test("roundRobin() keeps counting over a pool that shrinks, as the seed describes", () => {
  const rr = roundRobin();
  assertEquals(picks(rr, pool("a", "b", "c"), 3), ["a", "b", "c"]);
  // counter 3 over two backends → index 1, then 0
  assertEquals(picks(rr, pool("a", "b"), 2), ["b", "a"]);
});

Deno.test("roundRobin() returns undefined for an empty pool", () => {
  assertEquals(roundRobin().pick([]), undefined);
});

Deno.test("roundRobin() with randomStart begins at a random offset", () => {
  const rr = roundRobin({ randomStart: true, random: () => 0.5 });
  const offset = Math.floor(0.5 * 0x7fffffff) % 3;
  assertEquals(rr.pick(pool("a", "b", "c"))?.address, ["a", "b", "c"][offset]);
});
