import { assert, assertEquals, assertNotEquals } from "@std/assert";
import { mulberry32 } from "./random_source.ts";

const take = (random: () => number, n: number) => Array.from({ length: n }, random);

Deno.test("mulberry32() repeats the same sequence for the same seed", () => {
  assertEquals(take(mulberry32(42), 5), take(mulberry32(42), 5));
  assertNotEquals(take(mulberry32(42), 5), take(mulberry32(43), 5));
});

Deno.test("mulberry32() stays in [0, 1) and fills ten buckets evenly", () => {
  const buckets = new Array<number>(10).fill(0);
  for (const x of take(mulberry32(7), 100_000)) {
    assert(x >= 0 && x < 1, `${x} is outside [0, 1)`);
    buckets[Math.floor(x * 10)]!++;
  }
  for (const count of buckets) assert(Math.abs(count - 10_000) < 500, `bucket holds ${count}`);
});
