// What the request path pays per call (issue 6: metrics may cost at most 5% of throughput, so an
// attempt must stay far below a microsecond), and what one scrape costs with many backends.
// Run: deno bench -A bench/micro/proxy_metrics_bench.ts
import { Pool } from "../../src/balancer/pool.ts";
import { createProxyMetrics } from "../../src/metrics/proxy_metrics.ts";

function setup(backends: number) {
  const pool = new Pool();
  pool.update(
    Array.from({ length: backends }, (_, i) => ({ address: `10.0.${i >> 8}.${i & 255}:8080` })),
  );
  const metrics = createProxyMetrics({ pool, runtimeName: "deno", version: "bench" });
  return { pool, metrics, upstreams: pool.all() };
}

const hot = setup(3);
let turn = 0;
const STATUSES = [200, 200, 200, 200, 200, 200, 200, 404, 503, 200] as const;

Deno.bench("attempt() on 3 backends, mostly 200", { group: "hot", baseline: true }, () => {
  const i = turn++;
  hot.metrics.attempt(hot.upstreams[i % 3]!, STATUSES[i % 10]!, 0.0012 + (i % 7) * 0.003);
});

Deno.bench("attempt() + response() for one proxied request", { group: "hot" }, () => {
  const i = turn++;
  hot.metrics.attempt(hot.upstreams[i % 3]!, 200, 0.0012);
  hot.metrics.response(200);
});

Deno.bench("error() + attempt(error) + retry()", { group: "hot" }, () => {
  const i = turn++;
  const upstream = hot.upstreams[i % 3]!;
  hot.metrics.error(upstream, "connect");
  hot.metrics.attempt(upstream, "error", 0.0004);
  hot.metrics.retry();
});

const scrape = setup(100);
for (const [i, upstream] of scrape.upstreams.entries()) {
  scrape.metrics.attempt(upstream, 200, 0.002);
  scrape.metrics.attempt(upstream, i % 5 === 0 ? 503 : 404, 0.02);
  scrape.metrics.error(upstream, "timeout");
}

Deno.bench("render() with 100 backends", { group: "scrape" }, () => {
  scrape.metrics.render();
});
