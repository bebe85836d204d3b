import { assertEquals } from "@std/assert";
import { judgeSoak, type SoakSample } from "./soak_report.ts";

const at = (t: number, rssMiB: number, fds: number, upstream: number): SoakSample => ({
  t,
  rssMiB,
  rssAnonMiB: 0,
  rssFileMiB: 0,
  fds,
  upstreamConnections: upstream,
});

Deno.test("judgeSoak() passes a flat run: RSS within 10% of minute 1, counts not above minute 1's", () => {
  const v = judgeSoak([
    at(10, 40, 70, 30),
    at(60, 50, 80, 40),
    at(300, 52, 75, 38),
    at(600, 54, 79, 40),
  ]);
  assertEquals([v.rssOk, v.fdsOk, v.upstreamOk], [true, true, true]);
  assertEquals(v.rssMinute1, 50);
});

Deno.test("judgeSoak() fails a slope in RSS and a growing fd count", () => {
  const v = judgeSoak([at(60, 50, 80, 40), at(600, 56, 95, 40)]);
  assertEquals([v.rssOk, v.fdsOk, v.upstreamOk], [false, false, true]);
});
