// Renders a scenario's rows as a Markdown table: figures first, then ratios (req/s ratios: higher
// is better; CPU and p99 ratios to nginx: lower is better).
import { PEERS } from "./peers.ts";
import type { Row } from "./summarize.ts";

const DASH = "—";

function fixed(value: number | undefined, digits: number, unit = ""): string {
  return value === undefined ? DASH : `${value.toFixed(digits)}${unit}`;
}

export function formatRate(reqPerSec: number | undefined): string {
  return reqPerSec === undefined ? DASH : Math.round(reqPerSec).toLocaleString("en-US");
}

export function formatBytesPerSec(bytesPerSec: number | undefined): string {
  if (bytesPerSec === undefined) return DASH;
  if (bytesPerSec >= 1e9) return `${(bytesPerSec / 1e9).toFixed(2)} GB/s`;
  return `${(bytesPerSec / 1e6).toFixed(1)} MB/s`;
}

function times(value: number | undefined): string {
  return fixed(value, 2, "×");
}

function notes(row: Row): string {
  return row.notes.join("; ").replaceAll("|", "\\|").replaceAll("\n", " ");
}

function label(row: Row): string {
  return PEERS.find((p) => p.id === row.peer)?.label ?? row.peer;
}

const HEADER = [
  "proxy",
  "req/s",
  "transfer/s",
  "p50",
  "p99",
  "CPU µs/req",
  "RSS idle MiB",
  "RSS peak MiB",
  "×direct",
  "×nginx",
  "×Go",
  "×Bun min",
  "CPU/req vs nginx",
  "p99 vs nginx",
  "notes",
];

export function renderTable(rows: readonly Row[]): string {
  const lines = [
    `| ${HEADER.join(" | ")} |`,
    `|${HEADER.map((_, i) => (i === 0 || i === HEADER.length - 1 ? "---" : "---:")).join("|")}|`,
  ];
  for (const row of rows) {
    if (row.okRounds === 0) {
      const cells = HEADER.slice(1, -1).map(() => DASH);
      lines.push(`| ${label(row)} | ${cells.join(" | ")} | ${notes(row)} |`);
      continue;
    }
    const cells = [
      label(row),
      formatRate(row.reqPerSec),
      formatBytesPerSec(row.bytesPerSec),
      fixed(row.p50Ms, 2, " ms"),
      fixed(row.p99Ms, 2, " ms"),
      fixed(row.cpuUsPerReq, 1),
      fixed(row.rssIdleMiB, 1),
      fixed(row.rssPeakMiB, 1),
      times(row.vs.direct),
      times(row.vs.nginx),
      times(row.vs.go),
      times(row.vs["bun-minimal"]),
      times(row.cpuVsNginx),
      times(row.p99VsNginx),
      notes(row),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}
