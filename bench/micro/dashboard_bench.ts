// The dashboard's own costs, issue 13: one sampler tick (what runs once per admin.dashboardSampleMs,
// off the request path) with 3 and 50 backends, with no viewer and with 5 viewers reading
// /events; and the one thing it adds to the request path, the logger tee's raw() pass-through.
// Run: bun run bench/micro/dashboard_bench.ts (or deno run -A …).
import { createDashboard } from "../../src/admin/dashboard/mod.ts";
import { Pool } from "../../src/balancer/pool.ts";
import { createLogger } from "../../src/log.ts";
import { createProxyMetrics } from "../../src/metrics/proxy_metrics.ts";
import { createStats } from "../../src/proxy/stats.ts";

async function tick(backends: number, viewers: number, ticks = 2000): Promise<number> {
  let clock = 1_000_000;
  const now = () => clock;
  const pool = new Pool({ now });
  pool.update(
    Array.from({ length: backends }, (_, i) => ({ address: `10.0.${i >> 8}.${i & 255}:8080` })),
  );
  const metrics = createProxyMetrics({ pool, now, runtimeName: "bench", version: "0" });
  const stats = createStats(now);
  const dashboard = createDashboard({
    pool,
    readiness: { draining: false },
    metrics,
    stats,
    version: "0",
    discoveryKind: "static",
    now,
    setInterval: () => 0,
    clearInterval: () => {},
  });
  const readers = Array.from({ length: viewers }, () => dashboard.connect().body!.getReader());
  let bytes = 0;
  const drain = () =>
    Promise.all(readers.map(async (r) => {
      const { value } = await r.read();
      bytes += value?.length ?? 0;
    }));
  await drain(); // the snapshots
  let spent = 0;
  for (let t = 0; t < ticks; t++) {
    for (const u of pool.all()) {
      for (let k = 0; k < 10; k++) {
        u.requestsForwarded++;
        metrics.attempt(u, 200, 0.001 + (k % 5) * 0.002);
      }
    }
    stats.totalRequests += 10 * backends;
    clock += 1000;
    const start = performance.now();
    dashboard.sample();
    spent += performance.now() - start;
    if (viewers > 0) await drain();
  }
  if (dashboard.viewers !== viewers) {
    throw new Error(`viewers dropped: ${dashboard.viewers}/${viewers}`);
  }
  dashboard.stop();
  const perTick = (spent / ticks) * 1000;
  console.log(
    `sampler tick, ${backends} backends, ${viewers} viewers: ${perTick.toFixed(1)} µs` +
      (viewers ? ` (${Math.round(bytes / ticks / viewers)} bytes per viewer per tick)` : ""),
  );
  return perTick;
}

function teeRaw(calls = 2_000_000): void {
  const base = createLogger({ write: () => {}, bufferBytes: 1 << 20 });
  const dashboard = createDashboard({
    pool: new Pool(),
    readiness: { draining: false },
    version: "0",
    discoveryKind: "static",
    setInterval: () => 0,
    clearInterval: () => {},
  });
  const teed = dashboard.teeLogger(base);
  const members = '"method":"GET","path":"/ping","status":200,"duration_ms":0.42';
  const time = (logger: typeof base) => {
    const start = performance.now();
    for (let i = 0; i < calls; i++) logger.raw("info", "request", members);
    logger.flush();
    return ((performance.now() - start) * 1e6) / calls;
  };
  time(base), time(teed); // warm-up
  const direct = time(base);
  const through = time(teed);
  dashboard.stop();
  console.log(
    `access-log raw(): ${direct.toFixed(1)} ns direct, ${through.toFixed(1)} ns through the tee`,
  );
}

for (const backends of [3, 50]) {
  for (const viewers of [0, 5]) await tick(backends, viewers);
}
teeRaw();
