// The standard process_* families every Prometheus client exports, read at scrape time through
// node:process, which both Deno and Bun provide.
import process from "node:process";
import { familyHeader, formatValue } from "./exposition.ts";
import type { Registry } from "./registry.ts";

export interface CpuUsage {
  /** Microseconds of CPU time in user mode. */
  user: number;
  /** Microseconds of CPU time in the kernel. */
  system: number;
}

export interface ProcessMetricsOptions {
  /** Resident set size in bytes. */
  memoryRss?: () => number;
  cpuUsage?: () => CpuUsage;
  /** When the process started, in seconds since the epoch. */
  startTimeSeconds?: number;
}

/** Adds process_resident_memory_bytes, process_cpu_seconds_total and process_start_time_seconds. */
export function registerProcessMetrics(
  registry: Registry,
  {
    memoryRss = () => process.memoryUsage.rss(),
    cpuUsage = () => process.cpuUsage(),
    startTimeSeconds = Date.now() / 1000 - process.uptime(),
  }: ProcessMetricsOptions = {},
): void {
  registry.gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    collect: (emit) => emit(memoryRss()),
  });
  const cpuHeader = familyHeader(
    "process_cpu_seconds_total",
    "Total user and system CPU time spent in seconds.",
    "counter",
  );
  // A counter whose value lives in the OS: rendered from a callback, typed as the counter it is.
  registry.register({
    name: "process_cpu_seconds_total",
    render(out: string[]) {
      const { user, system } = cpuUsage();
      out.push(cpuHeader, "process_cpu_seconds_total ", formatValue((user + system) / 1e6), "\n");
    },
  });
  registry.gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since unix epoch in seconds.",
    collect: (emit) => emit(startTimeSeconds),
  });
}
