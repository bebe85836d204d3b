import { assertEquals } from "@std/assert";
import { BUCKETS, REQUESTS, SeriesTracker } from "./series_tracker.ts";

const bounds = [0.001, 0.01];

/** A sample row: time, requests, 5xx, connect errors, then per-bucket counts. */
function row(at: number, requests: number, buckets: number[]): Float64Array {
  const r = new Float64Array(BUCKETS + bounds.length + 1);
  r[0] = at;
  r[REQUESTS] = requests;
  r.set(buckets, BUCKETS);
  return r;
}

Deno.test("SeriesTracker.push() adds one rps and p99 point per interval after the first sample", () => {
  const t = new SeriesTracker(bounds, { historyPoints: 3, windowSteps: 2 });
  t.push(row(0, 0, [0, 0, 0]));
  assertEquals(t.rps.toJSON(), []);
  t.push(row(1000, 10, [10, 0, 0]));
  t.push(row(2000, 30, [10, 20, 0]));
  assertEquals(t.rps.toJSON(), [10, 20]);
  assertEquals(t.p99Ms.toJSON(), [0.99, 9.91]);
  t.push(row(3000, 30, [10, 20, 0]));
  assertEquals(t.p99Ms.toJSON(), [0.99, 9.91, null]);
});

Deno.test("SeriesTracker.figures() reports rate and quantiles over the window", () => {
  const t = new SeriesTracker(bounds, { historyPoints: 10, windowSteps: 2 });
  t.push(row(0, 0, [0, 0, 0]));
  t.push(row(1000, 10, [10, 0, 0]));
  t.push(row(2000, 40, [10, 30, 0]));
  t.push(row(3000, 40, [10, 30, 0]));
  // The last two intervals: 30 requests in 2 s, all in the 1-10 ms bucket.
  assertEquals(t.figures(), { rps: 15, p50Ms: 5.5, p99Ms: 9.91 });
});
