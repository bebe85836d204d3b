// Runs wrk (one thread, pinned to the load core) with bench/wrk/report.lua, whose `done()` prints
// one `BENCH_JSON {...}` line; that line, parsed with zod, is the result.
import { z } from "zod";
import type { ProcessGroup } from "./process_group.ts";

const reportSchema = z.object({
  requests: z.number().int().nonnegative(),
  duration_us: z.number().int().positive(),
  bytes: z.number().nonnegative(),
  p50_us: z.number().nonnegative(),
  p90_us: z.number().nonnegative(),
  p99_us: z.number().nonnegative(),
  max_us: z.number().nonnegative(),
  connect_errors: z.number().int().nonnegative(),
  read_errors: z.number().int().nonnegative(),
  write_errors: z.number().int().nonnegative(),
  timeouts: z.number().int().nonnegative(),
  status_errors: z.number().int().nonnegative(),
});

export interface WrkResult {
  requests: number;
  seconds: number;
  reqPerSec: number;
  bytesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors (connect, read, write, timeout). */
  socketErrors: number;
  /** Responses that were not 2xx/3xx. */
  statusErrors: number;
}

/** Picks the BENCH_JSON line out of wrk's output. */
export function parseWrkOutput(output: string): WrkResult {
  const line = output.split("\n").find((l) => l.startsWith("BENCH_JSON "));
  if (!line) {
    throw new Error(`Cannot read wrk's result: no BENCH_JSON line in ${output.slice(-300)}`);
  }
  const r = reportSchema.parse(JSON.parse(line.slice("BENCH_JSON ".length)));
  const seconds = r.duration_us / 1e6;
  return {
    requests: r.requests,
    seconds,
    reqPerSec: r.requests / seconds,
    bytesPerSec: r.bytes / seconds,
    p50Ms: r.p50_us / 1000,
    p99Ms: r.p99_us / 1000,
    socketErrors: r.connect_errors + r.read_errors + r.write_errors + r.timeouts,
    statusErrors: r.status_errors,
  };
}

export interface WrkOptions {
  connections: number;
  /** wrk's duration syntax: `10s`, `1m`. */
  duration: string;
  cpu: string;
  script: string;
  /** POST this many bytes instead of GET. */
  bodyBytes?: number;
}

export async function runWrk(
  group: ProcessGroup,
  url: string,
  options: WrkOptions,
): Promise<WrkResult> {
  const { connections, duration, cpu, script, bodyBytes } = options;
  const args = ["-t1", `-c${connections}`, `-d${duration}`, "--latency", "-s", script, url];
  const { code, output } = await group.run("wrk", ["wrk", ...args], {
    cpu,
    env: { BENCH_BODY_BYTES: bodyBytes ? String(bodyBytes) : "" },
  });
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${output.slice(-300)}`);
  return parseWrkOutput(output);
}
