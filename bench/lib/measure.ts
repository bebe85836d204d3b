// One measurement: a fresh proxy, a 200 through it, a warm-up, then the measured wrk run with the
// proxy's CPU time read around it and its memory read before and after.
import { type BenchContext, freePort, type Peer, waitForPing } from "./peers.ts";
import { treeCpuSeconds, treeMemoryMiB } from "./proc_stats.ts";
import type { Scenario, Settings } from "./settings.ts";
import type { Sample } from "./summarize.ts";
import { runWrk } from "./wrk.ts";

/** How often the RSS trace is sampled (reading /proc costs the load core a little). */
const RSS_SAMPLE_MS = 500;

export interface MeasureContext extends BenchContext {
  settings: Settings;
  /** Clock ticks per second (CLK_TCK), the unit of /proc CPU times. */
  ticks: number;
}

export async function measure(
  ctx: MeasureContext,
  peer: Peer,
  scenario: Scenario,
  round: number,
): Promise<Sample> {
  const port = freePort();
  let running;
  let timer: ReturnType<typeof setInterval> | undefined;
  const rssTrace: Array<[number, number]> = [];
  try {
    running = await peer.start(ctx, port);
    const base = running ? `http://127.0.0.1:${port}` : `http://${ctx.backends[0]}`;
    await waitForPing(base, running);
    const pid = running?.pid;
    const rssIdleMiB = pid ? treeMemoryMiB(pid, "VmRSS") : undefined;
    // RSS over time from the first 200 to the end of the run, for the report's plots.
    const started = performance.now();
    const sampleRss = () => {
      if (pid) rssTrace.push([(performance.now() - started) / 1000, treeMemoryMiB(pid, "VmRSS")]);
    };
    sampleRss();
    timer = setInterval(sampleRss, RSS_SAMPLE_MS);
    const wrkOptions = {
      connections: scenario.connections,
      cpu: ctx.loadCpu,
      script: `${ctx.root}/bench/wrk/report.lua`,
      ...(scenario.bodyBytes ? { bodyBytes: scenario.bodyBytes } : {}),
    };
    const url = base + scenario.path;
    await runWrk(ctx.group, url, { ...wrkOptions, duration: ctx.settings.BENCH_WARMUP });
    const cpuBefore = pid ? treeCpuSeconds(pid, ctx.ticks) : 0;
    const wrk = await runWrk(ctx.group, url, {
      ...wrkOptions,
      duration: ctx.settings.BENCH_DURATION,
    });
    const cpuAfter = pid ? treeCpuSeconds(pid, ctx.ticks) : 0;
    clearInterval(timer);
    sampleRss();
    if (running?.hasExited()) throw new Error(`exited during the run: ${running.outputTail()}`);
    if (wrk.requests === 0) throw new Error("wrk completed no request");
    const perResponse = (wrk.bytesPerSec * wrk.seconds) / wrk.requests;
    if (scenario.minResponseBytes && perResponse < scenario.minResponseBytes) {
      throw new Error(`responses averaged ${Math.round(perResponse)} bytes, expected a full body`);
    }
    if (!pid) return { ok: true, round, wrk };
    return {
      ok: true,
      round,
      wrk,
      cpuUsPerReq: ((cpuAfter - cpuBefore) / wrk.requests) * 1e6,
      ...(rssIdleMiB === undefined ? {} : { rssIdleMiB }),
      rssPeakMiB: treeMemoryMiB(pid, "VmHWM"),
      rssTrace,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, round, error: message.replaceAll("\n", " ").slice(0, 300) };
  } finally {
    clearInterval(timer);
    if (running) await ctx.group.stop(running);
  }
}

/** One progress line for stderr. */
export function describeSample(sample: Sample): string {
  if (!sample.ok) return `FAILED: ${sample.error}`;
  const { wrk } = sample;
  const cpu = sample.cpuUsPerReq === undefined
    ? ""
    : `, CPU ${sample.cpuUsPerReq.toFixed(1)} µs/req`;
  return `${Math.round(wrk.reqPerSec)} req/s, p99 ${wrk.p99Ms.toFixed(2)} ms${cpu}`;
}
