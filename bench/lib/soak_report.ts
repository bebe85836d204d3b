// The soak's result: samples over time → bench/results/soak.md, with the RSS and the socket counts
// plotted as PNGs beside it, and the checks of issue 15 part 5 (RSS at minute 10 within 10% of
// minute 1; no growth of upstream connections or fds).
import { linePlotPng, PALETTE } from "./line_plot.ts";
import type { WrkResult } from "./wrk.ts";

export interface SoakSample {
  /** Seconds since the traffic started. */
  t: number;
  rssMiB: number;
  rssAnonMiB: number;
  rssFileMiB: number;
  fds: number;
  /** podgate_upstream_connections from /metrics; undefined when it could not be read. */
  upstreamConnections?: number;
}

export interface SoakLoad {
  name: string;
  result?: WrkResult;
  error?: string;
}

export interface SoakReportParts {
  started: Date;
  machine: string;
  commit: string;
  binary: string;
  durationS: number;
  intervalS: number;
  loads: SoakLoad[];
  leavers: { started: number; failed: number };
  samples: SoakSample[];
  /** File names of the two PNGs, relative to the report. */
  rssPng: string;
  socketsPng: string;
}

/** The sample closest to `t` seconds. */
export function sampleAt(samples: readonly SoakSample[], t: number): SoakSample | undefined {
  let best: SoakSample | undefined;
  for (const s of samples) if (!best || Math.abs(s.t - t) < Math.abs(best.t - t)) best = s;
  return best;
}

export interface SoakVerdict {
  rssMinute1?: number;
  rssLast?: number;
  rssChange?: number;
  rssOk: boolean;
  fdsFirst?: number;
  fdsMax?: number;
  fdsLast?: number;
  fdsOk: boolean;
  upstreamFirst?: number;
  upstreamMax?: number;
  upstreamLast?: number;
  upstreamOk: boolean;
}

/**
 * RSS at the last sample against minute 1; fds and upstream connections at the end against the
 * first minute's maximum (the pools fill in the first seconds; growth after that is a leak).
 */
export function judgeSoak(samples: readonly SoakSample[]): SoakVerdict {
  const m1 = sampleAt(samples, 60);
  const last = samples.at(-1);
  const firstMinute = samples.filter((s) => s.t <= 60);
  const max = (xs: Array<number | undefined>) => {
    const defined = xs.filter((x): x is number => x !== undefined);
    return defined.length ? Math.max(...defined) : undefined;
  };
  const fdsFirst = max(firstMinute.map((s) => s.fds));
  const upstreamFirst = max(firstMinute.map((s) => s.upstreamConnections));
  const rssChange = m1 && last ? last.rssMiB / m1.rssMiB - 1 : undefined;
  return {
    ...(m1 ? { rssMinute1: m1.rssMiB } : {}),
    ...(last ? { rssLast: last.rssMiB, fdsLast: last.fds } : {}),
    ...(rssChange === undefined ? {} : { rssChange }),
    rssOk: rssChange !== undefined && Math.abs(rssChange) <= 0.1,
    ...(fdsFirst === undefined ? {} : { fdsFirst }),
    ...(samples.length ? { fdsMax: Math.max(...samples.map((s) => s.fds)) } : {}),
    fdsOk: fdsFirst !== undefined && last !== undefined && last.fds <= fdsFirst,
    ...(upstreamFirst === undefined ? {} : { upstreamFirst }),
    ...(max(samples.map((s) => s.upstreamConnections)) === undefined
      ? {}
      : { upstreamMax: max(samples.map((s) => s.upstreamConnections))! }),
    ...(last?.upstreamConnections === undefined ? {} : { upstreamLast: last.upstreamConnections }),
    upstreamOk: upstreamFirst !== undefined && last?.upstreamConnections !== undefined &&
      last.upstreamConnections <= upstreamFirst,
  };
}

export function soakPngs(samples: readonly SoakSample[]): { rss: Uint8Array; sockets: Uint8Array } {
  const minutes = (s: SoakSample) => s.t / 60;
  const rss = linePlotPng([
    { label: "RSS", color: PALETTE[0]!, points: samples.map((s) => [minutes(s), s.rssMiB]) },
    {
      label: "anonymous",
      color: PALETTE[1]!,
      points: samples.map((s) => [minutes(s), s.rssAnonMiB]),
    },
    {
      label: "file-backed",
      color: PALETTE[2]!,
      points: samples.map((s) => [minutes(s), s.rssFileMiB]),
    },
  ], {
    title: "podgate soak: RSS over time",
    xLabel: "minutes",
    yLabel: "MiB",
    hLines: [{ y: 64, color: [150, 150, 150], label: "64 MiB target (peak)" }],
  });
  const sockets = linePlotPng([
    { label: "open fds", color: PALETTE[3]!, points: samples.map((s) => [minutes(s), s.fds]) },
    {
      label: "podgate_upstream_connections",
      color: PALETTE[4]!,
      points: samples.flatMap((s) =>
        s.upstreamConnections === undefined ? [] : [[minutes(s), s.upstreamConnections] as const]
      ),
    },
  ], { title: "podgate soak: fds and upstream connections", xLabel: "minutes", yLabel: "count" });
  return { rss, sockets };
}

const f1 = (x: number | undefined) => x === undefined ? "—" : x.toFixed(1);
const yes = (ok: boolean) => ok ? "met" : "NOT met";

export function renderSoakReport(p: SoakReportParts): string {
  const v = judgeSoak(p.samples);
  const loadRows = p.loads.map((l) =>
    l.result
      ? `| ${l.name} | ${l.result.requests.toLocaleString("en-US")} | ${
        Math.round(l.result.reqPerSec).toLocaleString("en-US")
      } | ${l.result.p99Ms.toFixed(2)} ms | ${l.result.socketErrors} | ${l.result.statusErrors} |`
      : `| ${l.name} | FAILED: ${l.error ?? "?"} | | | | |`
  );
  const sampleRows = p.samples.map((s) =>
    `| ${s.t.toFixed(0)} | ${f1(s.rssMiB)} | ${f1(s.rssAnonMiB)} | ${
      f1(s.rssFileMiB)
    } | ${s.fds} | ${s.upstreamConnections ?? "—"} |`
  );
  const pct = v.rssChange === undefined ? "—" : `${(v.rssChange * 100).toFixed(1)}%`;
  return [
    "# podgate soak",
    "",
    `- Date: ${p.started.toISOString()}; binary \`${p.binary}\` built from ${p.commit}`,
    p.machine,
    `- ${p.durationS / 60} minutes of mixed traffic at once through one podgate (default config, ` +
    "static discovery, 3 Go backends), sampled every " +
    `${p.intervalS} s: VmRSS (RssAnon, RssFile) and the entries of /proc/PID/fd from /proc, ` +
    "`podgate_upstream_connections` from /metrics. Run: `deno run -A bench/soak.ts` after " +
    "`bash scripts/build` (SOAK_MINUTES, SOAK_INTERVAL_S, SOAK_BIN, SOAK_OUT).",
    "",
    "## Checks (issue 15 part 5)",
    "",
    `- RSS at the end within 10% of minute 1: ${yes(v.rssOk)} (${f1(v.rssMinute1)} → ${
      f1(v.rssLast)
    } MiB, ${pct})`,
    `- open fds not growing (end ≤ first minute's max): ${yes(v.fdsOk)} (first minute max ${
      v.fdsFirst ?? "—"
    }, max ${v.fdsMax ?? "—"}, end ${v.fdsLast ?? "—"})`,
    `- podgate_upstream_connections not growing: ${yes(v.upstreamOk)} (first minute max ${
      v.upstreamFirst ?? "—"
    }, max ${v.upstreamMax ?? "—"}, end ${v.upstreamLast ?? "—"})`,
    "",
    `![RSS over time](${p.rssPng})`,
    "",
    `![fds and upstream connections over time](${p.socketsPng})`,
    "",
    "## Load",
    "",
    "| load | requests | req/s | p99 | socket errors | non-2xx |",
    "|---|---:|---:|---:|---:|---:|",
    ...loadRows,
    "",
    `Clients that left mid-body (half a 1 MiB POST sent, or 64 KiB of a 1 MiB GET read, then the ` +
    `socket closed): ${p.leavers.started.toLocaleString("en-US")} (${p.leavers.failed} could not ` +
    "connect or write), one every 100 ms beside the loads.",
    "",
    "## Samples",
    "",
    "| s | RSS MiB | anon MiB | file MiB | fds | upstream conns |",
    "|---:|---:|---:|---:|---:|---:|",
    ...sampleRows,
    "",
  ].join("\n");
}
