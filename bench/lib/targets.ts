// podgate against the targets of issue 6, read off the summarized rows: one line per target,
// met or not, with the measured figure. Ratios only; the bench never asserts timings in tests.
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

export function renderTargets(checks: readonly TargetCheck[]): string {
  return checks.map((c) => {
    const mark = c.met === undefined ? "not measured" : c.met ? "met" : "NOT met";
    const value = c.value === undefined ? "" : ` (${c.value.toFixed(2)})`;
    return `- ${c.target}: ${mark}${value}`;
  }).join("\n");
}
