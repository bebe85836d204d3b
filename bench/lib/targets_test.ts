import { assertEquals } from "@std/assert";
import type { PeerId } from "./peers.ts";
import type { Row } from "./summarize.ts";
import { checkIssue15Targets } from "./targets.ts";

const row = (peer: PeerId, fields: Partial<Row>): Row => ({
  peer,
  rounds: 1,
  okRounds: 1,
  vs: {},
  notes: [],
  ...fields,
});

Deno.test("checkIssue15Targets() checks each scenario's peak and the CPU ratio to the minimal proxy", () => {
  const rows = new Map([
    ["small-get", [
      row("podgate", { rssIdleMiB: 30, rssPeakMiB: 60, cpuUsPerReq: 9, p99VsNginx: 1.1 }),
      row("bun-minimal", { cpuUsPerReq: 10 }),
    ]],
    ["get-1m", [row("podgate", { rssIdleMiB: 31, rssPeakMiB: 70 })]],
    ["post-1m", [row("podgate", { rssIdleMiB: 31, rssPeakMiB: 64, cpuVsNginx: 1.5 })]],
  ]);
  const checks = checkIssue15Targets(rows, 19);
  assertEquals(
    checks.map((c) => [c.value, c.met]),
    [[31, true], [60, true], [70, false], [64, true], [1.5, false], [1.1, true], [0.9, true], [
      19,
      true,
    ]],
  );
});
