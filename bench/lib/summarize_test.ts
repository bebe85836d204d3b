import { assertEquals, assertStringIncludes } from "@std/assert";
import type { PeerId } from "./peers.ts";
import { renderTable } from "./render_table.ts";
import { median, type Sample, summarize } from "./summarize.ts";
import type { WrkResult } from "./wrk.ts";

function ok(round: number, reqPerSec: number, extra: Partial<Sample> = {}): Sample {
  const wrk: WrkResult = {
    requests: reqPerSec * 10,
    seconds: 10,
    reqPerSec,
    bytesPerSec: reqPerSec * 100,
    p50Ms: 1,
    p99Ms: 4,
    socketErrors: 0,
    statusErrors: 0,
  };
  return { ok: true, round, wrk, ...extra } as Sample;
}

Deno.test("median() takes the middle value, averages the middle pair, skips gaps", () => {
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(median([4, 1, 3, 2]), 2.5);
  assertEquals(median([undefined, 5]), 5);
  assertEquals(median([]), undefined);
});

Deno.test("summarize() takes each ratio within a round, then the median over rounds", () => {
  const samples = new Map<PeerId, Sample[]>([
    // Per-round ratios 0.45, 1.2, 0.9 → 0.9; the ratio of the medians (60/80) would say 0.75.
    ["nginx", [
      ok(1, 100, { cpuUsPerReq: 10 }),
      ok(2, 50, { cpuUsPerReq: 10 }),
      ok(3, 80, { cpuUsPerReq: 10 }),
    ]],
    ["podgate", [
      ok(1, 45, { cpuUsPerReq: 20 }),
      ok(2, 60, { cpuUsPerReq: 20 }),
      ok(3, 72, { cpuUsPerReq: 20 }),
    ]],
  ]);
  const podgate = summarize(samples).find((r) => r.peer === "podgate")!;
  assertEquals(podgate.reqPerSec, 60);
  assertEquals(podgate.vs.nginx?.toFixed(3), "0.900");
  assertEquals(podgate.cpuVsNginx, 2);
  assertEquals(podgate.vs.go, undefined);
});

Deno.test("summarize() reports a peer that failed and still compares the rounds that ran", () => {
  const samples = new Map<PeerId, Sample[]>([
    ["nginx", [ok(1, 100), { ok: false, round: 2, error: "exited with code 1: bind failed" }]],
    ["podgate", [ok(1, 50), ok(2, 60)]],
  ]);
  const rows = summarize(samples);
  const nginx = rows.find((r) => r.peer === "nginx")!;
  assertEquals(nginx.okRounds, 1);
  assertStringIncludes(nginx.notes.join(), "FAILED 1/2: exited with code 1");
  assertEquals(rows.find((r) => r.peer === "podgate")!.vs.nginx, 0.5);
});

Deno.test("renderTable() shows a peer that never started as a row of dashes with the reason", () => {
  const samples = new Map<PeerId, Sample[]>([
    ["haproxy", [{ ok: false, round: 1, error: "Cannot raise FD limit | 40014" }]],
    ["podgate", [ok(1, 41234.4)]],
  ]);
  const table = renderTable(summarize(samples));
  assertStringIncludes(table, "| HAProxy | — |");
  assertStringIncludes(table, "FAILED 1/1: Cannot raise FD limit \\| 40014");
  assertStringIncludes(table, "| podgate (dist/podgate) | 41,234 |");
});
