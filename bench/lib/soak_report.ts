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
  /** podgate_requests_total (every series summed): the rate between samples shows the load. */
  requestsTotal?: number;
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
  throughputPng?: string;
}

/** The sample closest to `t` seconds. */
export function sampleAt(samples: readonly SoakSample[], t: number): SoakSample | undefined {
  let best: SoakSample | undefined;
  for (const s of samples) if (!best || Math.abs(s.t - t) < Math.abs(best.t - t)) best = s;
  return best;
}

export interface SoakVerdict {
  /** Median RSS over the samples of minute 1 and of the last minute (one sample swings ±10%). */
  rssMinute1?: number;
  rssLastMinute?: number;
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

function median(xs: number[]): number | undefined {
  if (!xs.length) return undefined;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function maxOf(xs: Array<number | undefined>): number | undefined {
  const defined = xs.filter((x): x is number => x !== undefined);
  return defined.length ? Math.max(...defined) : undefined;
}

/**
 * RSS: the last minute's median against minute 1's (within 10%). fds and upstream connections:
 * the last sample against minute 1's maximum (the pools fill in the first seconds; growth after
 * that is a leak).
 */
export function judgeSoak(samples: readonly SoakSample[]): SoakVerdict {
  const last = samples.at(-1);
  const end = last?.t ?? 0;
  const firstMinute = samples.filter((s) => s.t <= 60);
  const lastMinute = samples.filter((s) => s.t > end - 60 && s.t > 60);
  const rssMinute1 = median(firstMinute.map((s) => s.rssMiB));
  const rssLastMinute = median(lastMinute.map((s) => s.rssMiB));
  const rssChange = rssMinute1 && rssLastMinute ? rssLastMinute / rssMinute1 - 1 : undefined;
  const fdsFirst = maxOf(firstMinute.map((s) => s.fds));
  const upstreamFirst = maxOf(firstMinute.map((s) => s.upstreamConnections));
  const upstreamMax = maxOf(samples.map((s) => s.upstreamConnections));
  const defined = <K extends string, V>(key: K, value: V | undefined) =>
    value === undefined ? {} : { [key]: value } as Record<K, V>;
  return {
    ...defined("rssMinute1", rssMinute1),
    ...defined("rssLastMinute", rssLastMinute),
    ...defined("rssChange", rssChange),
    rssOk: rssChange !== undefined && Math.abs(rssChange) <= 0.1,
    ...defined("fdsFirst", fdsFirst),
    ...defined("fdsMax", maxOf(samples.map((s) => s.fds))),
    ...defined("fdsLast", last?.fds),
    fdsOk: fdsFirst !== undefined && last !== undefined && last.fds <= fdsFirst,
    ...defined("upstreamFirst", upstreamFirst),
    ...defined("upstreamMax", upstreamMax),
    ...defined("upstreamLast", last?.upstreamConnections),
    upstreamOk: upstreamFirst !== undefined && last?.upstreamConnections !== undefined &&
      last.upstreamConnections <= upstreamFirst,
  };
}

/** Requests per second between each sample and the one before it (from podgate's counter). */
export function requestRates(samples: readonly SoakSample[]): Array<number | undefined> {
  return samples.map((s, i) => {
    const prev = samples[i - 1];
    if (!prev || s.requestsTotal === undefined || prev.requestsTotal === undefined) {
      return undefined;
    }
    return (s.requestsTotal - prev.requestsTotal) / (s.t - prev.t);
  });
}

export function soakPngs(
  samples: readonly SoakSample[],
): { rss: Uint8Array; sockets: Uint8Array; throughput: Uint8Array } {
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
  const rates = requestRates(samples);
  const throughput = linePlotPng([{
    label: "requests/s through podgate (all loads)",
    color: PALETTE[5]!,
    points: samples.flatMap((s, i) =>
      rates[i] === undefined ? [] : [[minutes(s), rates[i]!] as const]
    ),
  }], { title: "podgate soak: load over time", xLabel: "minutes", yLabel: "req/s" });
  return { rss, sockets, throughput };
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
  const rates = requestRates(p.samples);
  const sampleRows = p.samples.map((s, i) =>
    `| ${s.t.toFixed(0)} | ${f1(s.rssMiB)} | ${f1(s.rssAnonMiB)} | ${
      f1(s.rssFileMiB)
    } | ${s.fds} | ${s.upstreamConnections ?? "—"} | ${
      rates[i] === undefined ? "—" : Math.round(rates[i]!).toLocaleString("en-US")
    } |`
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
    `- RSS in the last minute within 10% of minute 1 (medians of their samples): ${yes(v.rssOk)} (${
      f1(v.rssMinute1)
    } → ${f1(v.rssLastMinute)} MiB, ${pct}; ${f1(sampleAt(p.samples, 60)?.rssMiB)} MiB at 60 s, ${
      f1(p.samples.at(-1)?.rssMiB)
    } MiB at the end)`,
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
    ...(p.throughputPng ? [`![requests per second over time](${p.throughputPng})`, ""] : []),
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
    "| s | RSS MiB | anon MiB | file MiB | fds | upstream conns | req/s since the last sample |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    ...sampleRows,
    "",
  ].join("\n");
}
