import { assert, assertEquals } from "@std/assert";
import { parsePromText, parsePromTypes, sampleValue } from "../../tests/support/prom_text.ts";
import { registerProcessMetrics } from "./process_metrics.ts";
import { Registry } from "./registry.ts";

Deno.test("registerProcessMetrics() reports this process's real memory, CPU and start time", () => {
  const registry = new Registry();
  registerProcessMetrics(registry);
  const text = registry.render();
  const samples = parsePromText(text);
  const rss = sampleValue(samples, "process_resident_memory_bytes");
  const cpu = sampleValue(samples, "process_cpu_seconds_total");
  const start = sampleValue(samples, "process_start_time_seconds");
  assert(rss !== undefined && Number.isInteger(rss) && rss > 1_000_000, `rss ${rss}`);
  assert(cpu !== undefined && cpu > 0, `cpu ${cpu}`);
  const nowSeconds = Date.now() / 1000;
  // Started before now, and not a day ago: a test process is young.
  assert(
    start !== undefined && start <= nowSeconds && start > nowSeconds - 86_400,
    `start ${start}`,
  );
  assertEquals(
    Object.fromEntries(parsePromTypes(text)),
    {
      process_resident_memory_bytes: "gauge",
      process_cpu_seconds_total: "counter",
      process_start_time_seconds: "gauge",
    },
  );
});

Deno.test("registerProcessMetrics() reads its sources at every scrape", () => {
  const registry = new Registry();
  let rss = 1000;
  let cpu = { user: 1_500_000, system: 500_000 };
  registerProcessMetrics(registry, {
    memoryRss: () => rss,
    cpuUsage: () => cpu,
    startTimeSeconds: 1700000000.5,
  });
  let samples = parsePromText(registry.render());
  assertEquals(sampleValue(samples, "process_resident_memory_bytes"), 1000);
  assertEquals(sampleValue(samples, "process_cpu_seconds_total"), 2);
  assertEquals(sampleValue(samples, "process_start_time_seconds"), 1700000000.5);
  rss = 2000;
  cpu = { user: 2_000_000, system: 750_000 };
  samples = parsePromText(registry.render());
  assertEquals(sampleValue(samples, "process_resident_memory_bytes"), 2000);
  assertEquals(sampleValue(samples, "process_cpu_seconds_total"), 2.75);
});
