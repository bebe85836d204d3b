import { assertEquals } from "../../tests/support/assert.ts";
import { Backoff } from "./backoff.ts";

Deno.test("Backoff.next() doubles from the initial delay up to the cap", () => {
  const backoff = new Backoff({ initialMs: 800, maxMs: 30_000, random: () => 0.5 });
  const delays = Array.from({ length: 8 }, () => backoff.next());
  assertEquals(delays, [800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000]);
});

Deno.test("Backoff.next() spreads each delay by up to 20% either way, never past the cap", () => {
  const low = new Backoff({ initialMs: 1000, maxMs: 2000, random: () => 0 });
  const high = new Backoff({ initialMs: 1000, maxMs: 2000, random: () => 0.999999 });
  assertEquals([low.next(), low.next(), low.next()], [800, 1600, 1600]);
  assertEquals([high.next(), high.next(), high.next()], [1200, 2000, 2000]);
});

Deno.test("Backoff.reset() starts again from the initial delay", () => {
  const backoff = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.5 });
  backoff.next();
  backoff.next();
  backoff.reset();
  assertEquals(backoff.next(), 100);
});
