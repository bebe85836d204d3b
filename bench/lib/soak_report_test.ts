import { assertEquals } from "@std/assert";
import { judgeSoak, renderSoakReport, type SoakSample } from "./soak_report.ts";

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

Deno.test("renderSoakReport() gives each sample row its request rate since the sample before", () => {
  const report = renderSoakReport({
    started: new Date(0),
    machine: "m",
    commit: "c",
    binary: "b",
    durationS: 20,
    intervalS: 10,
    loads: [],
    leavers: { started: 0, failed: 0 },
    samples: [
      { ...at(10, 50, 70, 30), requestsTotal: 1000 },
      { ...at(20, 51, 70, 30), requestsTotal: 26_000 },
    ],
    rssPng: "r.png",
    socketsPng: "s.png",
  });
  const rows = report.split("\n").filter((l) => /^\| (10|20) \|/.test(l));
  assertEquals(rows, [
    "| 10 | 50.0 | 0.0 | 0.0 | 70 | 30 | — |",
    "| 20 | 51.0 | 0.0 | 0.0 | 70 | 30 | 2,500 |",
  ]);
});
