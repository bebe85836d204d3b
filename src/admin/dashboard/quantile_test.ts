import { assertEquals } from "@std/assert";
import { bucketQuantile } from "./quantile.ts";

const bounds = [0.001, 0.005, 0.01, 0.1];
const ms = (seconds: number) => Math.round(seconds * 1e6) / 1e3;

Deno.test("bucketQuantile() interpolates inside the bucket the rank falls in", () => {
  // 100 observations: 50 under 1 ms, 40 in (1, 5] ms, 10 in (5, 10] ms.
  const counts = [50, 40, 10, 0, 0];
  assertEquals(ms(bucketQuantile(0.5, bounds, counts)), 1);
  assertEquals(ms(bucketQuantile(0.7, bounds, counts)), 3);
  assertEquals(ms(bucketQuantile(0.99, bounds, counts)), 9.5);
});

Deno.test("bucketQuantile() says NaN with no observations and the last bound past it", () => {
  assertEquals(bucketQuantile(0.5, bounds, [0, 0, 0, 0, 0]), NaN);
  assertEquals(bucketQuantile(0.99, bounds, [0, 0, 0, 0, 3]), 0.1);
});
