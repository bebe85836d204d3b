// Turns the rounds of one scenario into one row per peer: the median of each figure, and ratios
// taken within each round (so a slow moment on the machine hits both sides) then the median.
import type { PeerId } from "./peers.ts";
import type { WrkResult } from "./wrk.ts";

export type Sample =
  | {
    ok: true;
    round: number;
    wrk: WrkResult;
    /** Proxy CPU (user + system, whole process tree) per completed request; absent for direct. */
    cpuUsPerReq?: number;
    rssIdleMiB?: number;
    rssPeakMiB?: number;
    /** [seconds since the first 200, VmRSS MiB], every half second through warm-up and run. */
    rssTrace?: Array<[number, number]>;
  }
  | { ok: false; round: number; error: string };

export interface Row {
  peer: PeerId;
  rounds: number;
  okRounds: number;
  reqPerSec?: number;
  bytesPerSec?: number;
  p50Ms?: number;
  p99Ms?: number;
  cpuUsPerReq?: number;
  rssIdleMiB?: number;
  rssPeakMiB?: number;
  /** req/s ratio to each reference peer (higher is better). */
  vs: Partial<Record<Reference, number>>;
  /** CPU per request and p99 as a ratio to nginx's (lower is better). */
  cpuVsNginx?: number;
  p99VsNginx?: number;
  /** Failures and error counts, for the notes column. */
  notes: string[];
}

export const REFERENCES = ["direct", "nginx", "go", "bun-minimal"] as const;
export type Reference = typeof REFERENCES[number];

/** Median of the defined values; undefined when there are none. */
export function median(values: readonly (number | undefined)[]): number | undefined {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? xs[mid] : (xs[mid - 1]! + xs[mid]!) / 2;
}

type OkSample = Extract<Sample, { ok: true }>;

/** Median over rounds of `pick(peer) / pick(reference)`, using only rounds where both ran. */
function ratio(
  mine: OkSample[],
  theirs: Sample[] | undefined,
  pick: (s: OkSample) => number | undefined,
): number | undefined {
  const byRound = new Map<number, OkSample>();
  for (const s of theirs ?? []) if (s.ok) byRound.set(s.round, s);
  return median(mine.map((s) => {
    const ref = byRound.get(s.round);
    const a = pick(s);
    const b = ref ? pick(ref) : undefined;
    return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
  }));
}

export function summarize(samples: ReadonlyMap<PeerId, Sample[]>): Row[] {
  const rows: Row[] = [];
  for (const [peer, list] of samples) {
    const ok = list.filter((s): s is OkSample => s.ok);
    const notes: string[] = [];
    const failed = list.filter((s) => !s.ok);
    if (failed.length > 0) {
      const first = failed[0] as Extract<Sample, { ok: false }>;
      notes.push(`FAILED ${failed.length}/${list.length}: ${first.error}`);
    }
    const socket = ok.reduce((n, s) => n + s.wrk.socketErrors, 0);
    const status = ok.reduce((n, s) => n + s.wrk.statusErrors, 0);
    if (socket > 0) notes.push(`${socket} socket errors`);
    if (status > 0) notes.push(`${status} non-2xx/3xx`);
    const vs: Row["vs"] = {};
    for (const ref of REFERENCES) {
      if (ref === peer) continue;
      const r = ratio(ok, samples.get(ref), (s) => s.wrk.reqPerSec);
      if (r !== undefined) vs[ref] = r;
    }
    const cpuVsNginx = peer === "nginx"
      ? undefined
      : ratio(ok, samples.get("nginx"), (s) => s.cpuUsPerReq);
    const p99VsNginx = peer === "nginx"
      ? undefined
      : ratio(ok, samples.get("nginx"), (s) => s.wrk.p99Ms);
    rows.push({
      peer,
      rounds: list.length,
      okRounds: ok.length,
      reqPerSec: median(ok.map((s) => s.wrk.reqPerSec)),
      bytesPerSec: median(ok.map((s) => s.wrk.bytesPerSec)),
      p50Ms: median(ok.map((s) => s.wrk.p50Ms)),
      p99Ms: median(ok.map((s) => s.wrk.p99Ms)),
      cpuUsPerReq: median(ok.map((s) => s.cpuUsPerReq)),
      rssIdleMiB: median(ok.map((s) => s.rssIdleMiB)),
      rssPeakMiB: median(ok.map((s) => s.rssPeakMiB)),
      vs,
      cpuVsNginx,
      p99VsNginx,
      notes,
    });
  }
  return rows;
}
