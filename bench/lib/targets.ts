// podgate against the targets of issues 6 and 15, read off the summarized rows: one line per
// target, met or not, with the measured figure. The bench never asserts timings in tests.
import type { Row } from "./summarize.ts";

export interface TargetCheck {
  target: string;
  value: number | undefined;
  met: boolean | undefined;
}

type Rows = ReadonlyMap<string, readonly Row[]>;

function podgateRow(rows: Rows, scenario: string): Row | undefined {
  return rows.get(scenario)?.find((r) => r.peer === "podgate" && r.okRounds > 0);
}

function check(target: string, value: number | undefined, ok: (v: number) => boolean): TargetCheck {
  return { target, value, met: value === undefined ? undefined : ok(value) };
}

export function checkTargets(rows: Rows, startupMs: number | undefined): TargetCheck[] {
  const small = podgateRow(rows, "small-get");
  const big = podgateRow(rows, "get-1m");
  const post = podgateRow(rows, "post-1m");
  const all = [small, big, post].filter((r): r is Row => r !== undefined);
  const peak = all.length ? Math.max(...all.map((r) => r.rssPeakMiB ?? 0)) : undefined;
  const idle = all.length ? Math.max(...all.map((r) => r.rssIdleMiB ?? 0)) : undefined;
  return [
    check("small GET ≥ 0.9× minimal Bun proxy (req/s)", small?.vs["bun-minimal"], (v) => v >= 0.9),
    check("small GET ≥ 0.6× nginx (req/s; goal 1.0×)", small?.vs.nginx, (v) => v >= 0.6),
    check("small GET ≥ 2.0× Go httputil.ReverseProxy (req/s)", small?.vs.go, (v) => v >= 2.0),
    check("small GET p99 ≤ 1.2× nginx's", small?.p99VsNginx, (v) => v <= 1.2),
    check("1 MiB GET ≥ 0.9× nginx (throughput)", big?.vs.nginx, (v) => v >= 0.9),
    check("1 MiB POST ≥ 0.9× nginx (throughput)", post?.vs.nginx, (v) => v >= 0.9),
    check("RSS under load ≤ 64 MB (MiB, peak over scenarios)", peak, (v) => v <= 64),
    check("RSS idle ≤ 40 MB (MiB)", idle, (v) => v <= 40),
    check("start-up to first proxied 200 ≤ 30 ms", startupMs, (v) => v <= 30),
  ];
}

function peerRow(rows: Rows, scenario: string, peer: string): Row | undefined {
  return rows.get(scenario)?.find((r) => r.peer === peer && r.okRounds > 0);
}

/** podgate's CPU per request ÷ another peer's (medians of each; lower is better). */
function cpuRatio(rows: Rows, scenario: string, peer: string): number | undefined {
  const ours = podgateRow(rows, scenario)?.cpuUsPerReq;
  const theirs = peerRow(rows, scenario, peer)?.cpuUsPerReq;
  return ours !== undefined && theirs ? ours / theirs : undefined;
}

/** Issue 15: memory like a C proxy's, tails like nginx's, bodies through the own client. */
export function checkIssue15Targets(rows: Rows, startupMs: number | undefined): TargetCheck[] {
  const scenarios = [
    ["small-get", "small GET"],
    ["get-1m", "1 MiB GET"],
    ["post-1m", "1 MiB POST"],
  ] as const;
  const measured = scenarios.flatMap(([id]) => podgateRow(rows, id) ?? []);
  const idle = measured.length ? Math.max(...measured.map((r) => r.rssIdleMiB ?? 0)) : undefined;
  return [
    check("RSS idle ≤ 32 MiB (MiB, the largest over scenarios)", idle, (v) => v <= 32),
    ...scenarios.map(([id, name]) =>
      check(`RSS peak ≤ 64 MiB, ${name} (MiB)`, podgateRow(rows, id)?.rssPeakMiB, (v) => v <= 64)
    ),
    check(
      "1 MiB POST CPU µs/req ≤ 1.2× nginx's",
      podgateRow(rows, "post-1m")?.cpuVsNginx,
      (v) => v <= 1.2,
    ),
    check(
      "small GET p99 ≤ 1.2× nginx's",
      podgateRow(rows, "small-get")?.p99VsNginx,
      (v) => v <= 1.2,
    ),
    check(
      "small GET CPU µs/req ≤ 0.95× the minimal Bun proxy's (ratio of medians)",
      cpuRatio(rows, "small-get", "bun-minimal"),
      (v) => v <= 0.95,
    ),
    check("start-up to first proxied 200 ≤ 20 ms", startupMs, (v) => v <= 20),
  ];
}

export function renderTargets(checks: readonly TargetCheck[]): string {
  return checks.map((c) => {
    const mark = c.met === undefined ? "not measured" : c.met ? "met" : "NOT met";
    const value = c.value === undefined ? "" : ` (${c.value.toFixed(2)})`;
    return `- ${c.target}: ${mark}${value}`;
  }).join("\n");
}
