import { assertEquals } from "@std/assert";
import {
  parsePromText,
  parsePromTypes,
  type PromSample,
  sampleValue,
  sumSamples,
} from "../../tests/support/prom_text.ts";
import { Pool } from "../balancer/pool.ts";
import { Upstream } from "../balancer/upstream.ts";
import { createProxyMetrics, type ProxyMetricsOptions } from "./proxy_metrics.ts";

function setup(addresses: string[], options: Partial<ProxyMetricsOptions> = {}) {
  const clock = { now: 1_000_000 };
  const pool = new Pool();
  pool.update(addresses.map((address) => ({ address })));
  const metrics = createProxyMetrics({
    pool,
    now: () => clock.now,
    runtimeName: "deno",
    version: "1.2.3",
    process: { memoryRss: () => 1, cpuUsage: () => ({ user: 0, system: 0 }), startTimeSeconds: 0 },
    ...options,
  });
  const scrape = (): PromSample[] => parsePromText(metrics.render());
  const upstream = (address: string) => pool.all().find((u) => u.address === address)!;
  return { clock, pool, metrics, scrape, upstream };
}

Deno.test("ProxyMetrics.attempt() counts attempts per backend and status, errors as code=error", () => {
  const { metrics, scrape, upstream } = setup(["10.0.0.1:80", "10.0.0.2:80"]);
  const a = upstream("10.0.0.1:80");
  const b = upstream("10.0.0.2:80");
  metrics.attempt(a, 200, 0.002);
  metrics.attempt(a, 200, 0.003);
  metrics.attempt(a, 503, 0.001);
  metrics.attempt(b, "error", 0.5);
  const s = scrape();
  const name = "podgate_upstream_requests_total";
  assertEquals(sampleValue(s, name, { backend: "10.0.0.1:80", code: "200" }), 2);
  assertEquals(sampleValue(s, name, { backend: "10.0.0.1:80", code: "503" }), 1);
  assertEquals(sampleValue(s, name, { backend: "10.0.0.2:80", code: "error" }), 1);
  assertEquals(sumSamples(s, name), 4);
});

Deno.test("ProxyMetrics.attempt() fills a duration histogram per backend from 1 ms to 10 s", () => {
  const { metrics, scrape, upstream } = setup(["a:1"]);
  for (const seconds of [0.0005, 0.001, 0.02, 3, 60, -1]) {
    metrics.attempt(upstream("a:1"), 200, seconds);
  }
  const s = scrape();
  const bucket = (le: string) =>
    sampleValue(s, "podgate_upstream_request_duration_seconds_bucket", { backend: "a:1", le });
  // -1 (a clock step back) counts as 0.
  assertEquals(bucket("0.001"), 3);
  assertEquals(bucket("0.025"), 4);
  assertEquals(bucket("10"), 5);
  assertEquals(bucket("+Inf"), 6);
  const les = s.filter((x) => x.name.endsWith("_bucket")).map((x) => x.labels.le);
  assertEquals(les[0], "0.001");
  assertEquals(les.at(-2), "10");
  const sum = sampleValue(s, "podgate_upstream_request_duration_seconds_sum", { backend: "a:1" });
  assertEquals(sum, 0.0005 + 0.001 + 0.02 + 3 + 60);
});

Deno.test("ProxyMetrics.error(), retry(), response() and watchRestart() count what they say", () => {
  const { metrics, scrape, upstream } = setup(["a:1"]);
  metrics.error(upstream("a:1"), "connect");
  metrics.error(upstream("a:1"), "connect");
  metrics.error(upstream("a:1"), "timeout");
  metrics.retry();
  metrics.retry();
  metrics.response(200);
  metrics.response(200);
  metrics.response(502);
  metrics.watchRestart("expired");
  metrics.watchRestart("closed");
  metrics.watchRestart("expired");
  const s = scrape();
  const errors = "podgate_upstream_errors_total";
  assertEquals(sampleValue(s, errors, { backend: "a:1", kind: "connect" }), 2);
  assertEquals(sampleValue(s, errors, { backend: "a:1", kind: "timeout" }), 1);
  assertEquals(sampleValue(s, "podgate_upstream_retries_total"), 2);
  assertEquals(sampleValue(s, "podgate_requests_total", { code: "200" }), 2);
  assertEquals(sampleValue(s, "podgate_requests_total", { code: "502" }), 1);
  assertEquals(sampleValue(s, "podgate_kube_watch_restarts_total", { reason: "expired" }), 2);
  assertEquals(sampleValue(s, "podgate_kube_watch_restarts_total", { reason: "closed" }), 1);
});

Deno.test("ProxyMetrics.render() reads in-flight, up and endpoint states from the pool", () => {
  const { clock, pool, scrape, upstream } = setup([]);
  pool.update([
    { address: "ready:1" },
    { address: "ejected:1" },
    { address: "term:1", terminating: true },
    { address: "ready:2" },
  ]);
  upstream("ready:1").inflight = 3;
  upstream("term:1").inflight = 1;
  upstream("ejected:1").ejectedUntil = clock.now + 30_000;
  let s = scrape();
  const up = (backend: string) => sampleValue(s, "podgate_backend_up", { backend });
  const endpoints = (state: string) => sampleValue(s, "podgate_endpoints", { state });
  assertEquals(sampleValue(s, "podgate_upstream_inflight", { backend: "ready:1" }), 3);
  assertEquals(sampleValue(s, "podgate_upstream_inflight", { backend: "term:1" }), 1);
  assertEquals(sampleValue(s, "podgate_upstream_inflight", { backend: "ready:2" }), 0);
  assertEquals([up("ready:1"), up("ejected:1"), up("term:1"), up("ready:2")], [1, 0, 0, 1]);
  assertEquals([endpoints("ready"), endpoints("terminating"), endpoints("ejected")], [2, 1, 1]);

  // The ejection ends with time, with no call on the metrics in between.
  clock.now += 30_000;
  s = scrape();
  assertEquals([up("ejected:1"), endpoints("ready"), endpoints("ejected")], [1, 3, 0]);
});

Deno.test("ProxyMetrics.render() shows every endpoint state as 0 for an empty pool", () => {
  const { scrape } = setup([]);
  const s = scrape();
  assertEquals(
    ["ready", "terminating", "ejected"].map((state) =>
      sampleValue(s, "podgate_endpoints", { state })
    ),
    [0, 0, 0],
  );
});

Deno.test("ProxyMetrics.render() writes well-formed text with build info and process metrics", () => {
  // The same address twice in one snapshot must not repeat a series.
  const { metrics, upstream } = setup(["a:1", "a:1", "b:1"]);
  metrics.attempt(upstream("a:1"), 200, 0.01);
  metrics.error(upstream("b:1"), "reset");
  const text = metrics.render();
  const s = parsePromText(text); // throws on a repeated series
  assertEquals(sampleValue(s, "podgate_build_info", { version: "1.2.3", runtime: "deno" }), 1);
  assertEquals(sampleValue(s, "process_resident_memory_bytes"), 1);
  assertEquals(Object.fromEntries(parsePromTypes(text)), {
    podgate_requests_total: "counter",
    podgate_route_requests_total: "counter",
    podgate_upstream_requests_total: "counter",
    podgate_upstream_request_duration_seconds: "histogram",
    podgate_upstream_errors_total: "counter",
    podgate_upstream_retries_total: "counter",
    podgate_upstream_inflight: "gauge",
    podgate_backend_up: "gauge",
    podgate_endpoints: "gauge",
    podgate_kube_watch_restarts_total: "counter",
    podgate_build_info: "gauge",
    process_resident_memory_bytes: "gauge",
    process_cpu_seconds_total: "counter",
    process_start_time_seconds: "gauge",
  });
});

Deno.test("ProxyMetrics keeps a backend's counts when it leaves the pool and comes back", () => {
  const { metrics, pool, scrape } = setup(["a:1"]);
  const first = pool.all()[0]!;
  metrics.attempt(first, 200, 0.01);
  pool.update([]);
  pool.update([{ address: "a:1" }]);
  const second = pool.all()[0]!;
  assertEquals(second === first, false);
  metrics.attempt(second, 200, 0.01);
  const s = scrape();
  assertEquals(
    sampleValue(s, "podgate_upstream_requests_total", { backend: "a:1", code: "200" }),
    2,
  );
});

Deno.test("ProxyMetrics forgets a backend's series once it has been gone for forgetAfterMs", () => {
  const { clock, metrics, pool, scrape } = setup(["a:1", "b:1"], { forgetAfterMs: 60_000 });
  const [a, b] = pool.all() as [Upstream, Upstream];
  metrics.attempt(a, 200, 0.01);
  metrics.error(a, "connect");
  metrics.attempt(b, 200, 0.01);
  pool.update([{ address: "b:1" }]);
  const backends = (s: PromSample[]) =>
    [...new Set(s.filter((x) => x.labels.backend).map((x) => x.labels.backend))].sort();

  // Still shown for a while after it left, so scrapes see its last counts.
  assertEquals(backends(scrape()), ["a:1", "b:1"]);
  clock.now += 59_999;
  assertEquals(backends(scrape()), ["a:1", "b:1"]);
  clock.now += 1;
  assertEquals(backends(scrape()), ["b:1"]);

  // A late attempt on the old object (a long request finishing) starts a fresh series.
  metrics.attempt(a, 200, 0.01);
  const s = scrape();
  assertEquals(
    sampleValue(s, "podgate_upstream_requests_total", { backend: "a:1", code: "200" }),
    1,
  );
  assertEquals(
    sampleValue(s, "podgate_upstream_errors_total", { backend: "a:1", kind: "connect" }),
    undefined,
  );
});

Deno.test("ProxyMetrics forgets gone backends as new ones arrive, even with no scrape", () => {
  const { clock, metrics, pool, upstream } = setup(["a:1"], { forgetAfterMs: 1000 });
  metrics.attempt(upstream("a:1"), 200, 0.01);
  pool.update([{ address: "b:1" }]);
  metrics.attempt(upstream("b:1"), 200, 0.01); // the sweep notes a:1 missing
  clock.now += 1000;
  pool.update([{ address: "c:1" }]);
  metrics.attempt(upstream("c:1"), 200, 0.01); // and now forgets a:1 (b:1 is only just gone)
  const backends = parsePromText(metrics.render())
    .filter((x) => x.name === "podgate_upstream_requests_total")
    .map((x) => x.labels.backend);
  assertEquals(backends, ["b:1", "c:1"]);
});

Deno.test("ProxyMetrics escapes a backend label once and renders it parseably", () => {
  const { metrics, scrape } = setup([]);
  const odd = new Upstream('we"ird\\host\n:1');
  metrics.attempt(odd, 200, 0.01);
  const s = scrape();
  assertEquals(
    sampleValue(s, "podgate_upstream_requests_total", { backend: 'we"ird\\host\n:1', code: "200" }),
    1,
  );
});

Deno.test("ProxyMetrics.backendCounts() reads a backend's 5xx, connect errors and latency counts", () => {
  const { metrics, upstream } = setup(["10.0.0.1:80"]);
  const a = upstream("10.0.0.1:80");
  assertEquals(metrics.backendCounts(a.address), undefined);
  metrics.attempt(a, 200, 0.002);
  metrics.attempt(a, 502, 0.003);
  metrics.attempt(a, 503, 0.003);
  metrics.attempt(a, "error", 0.001);
  metrics.error(a, "connect");
  metrics.response(200);
  metrics.response(503);
  metrics.response(504);
  const counts = metrics.backendCounts(a.address)!;
  assertEquals([counts.serverErrors, counts.connectErrors, counts.latency.count], [2, 1, 4]);
  assertEquals(metrics.serverErrorResponses(), 2);
});
