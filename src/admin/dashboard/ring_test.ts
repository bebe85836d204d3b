import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { Ring } from "./ring.ts";

Deno.test("Ring.push() keeps the newest values up to its capacity, oldest first", () => {
  const ring = new Ring(3);
  assertEquals([ring.toJSON(), ring.last()], [[], NaN]);
  for (let i = 1; i <= 1000; i++) ring.push(i);
  assertEquals([ring.toJSON(), ring.size, ring.last()], [[998, 999, 1000], 3, 1000]);
});

Deno.test("Ring.toJSON() rounds and writes NaN as null", () => {
  const ring = new Ring(4);
  ring.push(1.23456);
  ring.push(NaN);
  assertEquals(ring.toJSON(2), [1.23, null]);
});

Deno.test("Ring() refuses a capacity below 1", () => {
  assertStringIncludes(
    assertThrows(() => new Ring(0), RangeError).message,
    "expected an integer >= 1",
  );
});
