import { assert, assertEquals } from "@std/assert";
import { cyrb53 } from "./hash.ts";

Deno.test("cyrb53() gives the published values", () => {
  assertEquals(cyrb53("a"), 7929297801672961);
  assertEquals(cyrb53("b"), 8684336938537663);
  assertEquals(cyrb53("revenge"), 4051478007546757);
  assertEquals(cyrb53("revenue"), 8309097637345594);
});

Deno.test("cyrb53() spreads similar keys over the whole range", () => {
  const buckets = new Array<number>(16).fill(0);
  for (let i = 0; i < 16_000; i++) buckets[Math.floor(cyrb53(`10.0.0.${i}`) / 2 ** 49)]!++;
  for (const count of buckets) assert(Math.abs(count - 1_000) < 130, `bucket holds ${count}`);
});
