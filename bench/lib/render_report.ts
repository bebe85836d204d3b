// The whole result file, bench/results/latest.md: how it was run, one table per scenario,
// start-up, and podgate against the targets of issues 6 and 15.
import type { BenchContext } from "./peers.ts";
import { renderTable } from "./render_table.ts";
import type { Scenario, Settings } from "./settings.ts";
import { renderStartup, type StartupResult } from "./startup.ts";
import type { Row, Sample } from "./summarize.ts";

export interface ScenarioTable {
  scenario: Scenario;
  rows: Row[];
  /** Every measurement, for the raw file. */
  samples?: Record<string, Sample[]>;
  /** Why the scenario did not run, when it did not. */
  skipped?: string;
}

export interface ReportParts {
  settings: Settings;
  ctx: BenchContext;
  command: string;
  machine: string;
  tables: ScenarioTable[];
  /** The measurement, the reason it failed, or undefined when it was not asked for. */
  startup: StartupResult | string | undefined;
  targets: string;
  /** The issue 15 checks, rendered. */
  targets15?: string;
  started: Date;
  /** PNG file name (beside the report) of each scenario's RSS-over-time plot. */
  rssPlots?: Record<string, string>;
}

export function renderReport(parts: ReportParts): string {
  const { settings, ctx, tables, startup } = parts;
  const backend = settings.BENCH_BACKEND === "go"
    ? "Go (bench/go/backend.go)"
    : "`dist/podgate backend`";
  const out = [
    "# podgate benchmark — latest run",
    "",
    `- Date: ${parts.started.toISOString()}`,
    `- Command: \`${parts.command}\` (\`deno task bench\` with the same variables is equivalent)`,
    parts.machine,
    `- Setup: each proxy alone on CPU ${ctx.proxyCpu}; wrk (1 thread) and 3 ${backend} backends ` +
    `on CPU ${ctx.loadCpu}. Each figure is the median of ${settings.BENCH_ROUNDS} interleaved ` +
    `round(s) of ${settings.BENCH_DURATION} after a ${settings.BENCH_WARMUP} warm-up; every ` +
    "proxy is started fresh for each measurement. Ratios are taken within a round, then the " +
    "median. podgate runs its default config (access log on, to /dev/null); nginx and HAProxy " +
    "log nothing. bench/README.md explains each column.",
  ];
  for (const { scenario, rows, skipped } of tables) {
    out.push("", `## ${scenario.title}`, "", skipped ?? renderTable(rows));
    const plot = parts.rssPlots?.[scenario.id];
    if (plot) out.push("", `![RSS over time, ${scenario.title}](${plot})`);
  }
  out.push("", "## Start-up (hyperfine)", "");
  if (startup === undefined) out.push("Not measured (BENCH_STARTUP_RUNS=0).");
  else if (typeof startup === "string") out.push(`FAILED: ${startup}`);
  else out.push(renderStartup(startup));
  out.push("", "## podgate against the targets of issue 6", "", parts.targets, "");
  if (parts.targets15) {
    out.push("## podgate against the targets of issue 15", "", parts.targets15, "");
  }
  return out.join("\n");
}
