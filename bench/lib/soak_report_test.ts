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

Deno.test("judgeSoak() passes a flat run: medians within 10%, counts not above minute 1's", () => {
  const v = judgeSoak([
    at(20, 40, 70, 30),
    at(40, 50, 80, 40),
    at(60, 60, 75, 38),
    at(300, 70, 75, 38),
    at(560, 49, 79, 40),
    at(580, 60, 79, 40),
    at(600, 53, 79, 40),
  ]);
  assertEquals([v.rssOk, v.fdsOk, v.upstreamOk], [true, true, true]);
  assertEquals([v.rssMinute1, v.rssLastMinute], [50, 53]);
});

Deno.test("judgeSoak() fails a slope in RSS and a growing fd count", () => {
  const v = judgeSoak([at(60, 50, 80, 40), at(590, 56, 90, 40), at(600, 56, 95, 40)]);
  assertEquals([v.rssOk, v.fdsOk, v.upstreamOk], [false, false, true]);
});
