import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { Pool } from "../../balancer/pool.ts";
import { memoryLogger } from "../../log.ts";
import { createProxyMetrics } from "../../metrics/proxy_metrics.ts";
import { createStats } from "../../proxy/stats.ts";
import { createDashboard, type DashboardOptions } from "./dashboard.ts";
import type { DashboardSample, DashboardSnapshot } from "./model.ts";

const T0 = Date.UTC(2026, 11, 6, 12, 0, 0);

type Extra = Partial<DashboardOptions> | ((pool: Pool) => Partial<DashboardOptions>);

function setup(extra: Extra = {}) {
  const clock = { now: T0 };
  const now = () => clock.now;
  const pool = new Pool({ now });
  pool.update([{ address: "10.0.0.1:80" }, { address: "10.0.0.2:80" }]);
  const options = typeof extra === "function" ? extra(pool) : extra;
  const metrics = createProxyMetrics({ pool, now, runtimeName: "deno", version: "0.1.0" });
  const stats = createStats(now);
  const readiness = { draining: false };
  let timers = 0;
  const dashboard = createDashboard({
    pool,
    readiness,
    metrics,
    stats,
    version: "0.1.0",
    runtime: "deno",
    discoveryKind: "static",
    now,
    setInterval: () => ++timers,
    clearInterval: () => timers--,
    ...options,
  });
  const [a, b] = pool.all();
  const tick = (ms = 1000) => {
    clock.now += ms;
    dashboard.sample();
  };
  /** `n` requests to `u`, each taking `seconds` to its headers. */
  const serve = (u: typeof a, n: number, seconds: number, status = 200) => {
    for (let i = 0; i < n; i++) {
      u!.requestsForwarded++;
      stats.totalRequests++;
      metrics.attempt(u!, status, seconds);
      metrics.response(status);
    }
  };
  return {
    clock,
    pool,
    metrics,
    stats,
    readiness,
    dashboard,
    a: a!,
    b: b!,
    tick,
    serve,
    timers: () => timers,
  };
}

Deno.test("createDashboard() shows each backend's state, share, rate and latency over the window", () => {
  const { dashboard, a, b, tick, serve } = setup();
  for (let s = 0; s < 10; s++) {
    serve(a, 30, 0.002);
    serve(b, 10, 0.02);
    tick();
  }
  const view = dashboard.view();
  assertEquals(view.routes.map((r) => [r.name, r.backends.length]), [["default", 2]]);
  const [ra, rb] = view.routes[0]!.backends;
  assertEquals([ra!.state, ra!.requests, ra!.share, ra!.rps], ["up", 300, 0.75, 30]);
  assertEquals([rb!.requests, rb!.share, rb!.rps], [100, 0.25, 10]);
  // 1 ms < a's 2 ms <= 2.5 ms; 10 ms < b's 20 ms <= 25 ms (the metrics' buckets).
  assert(ra!.p50Ms! > 1 && ra!.p50Ms! <= 2.5, `p50 ${ra!.p50Ms}`);
  assert(rb!.p99Ms! > 10 && rb!.p99Ms! <= 25, `p99 ${rb!.p99Ms}`);
  assertEquals([view.totals.requests, view.totals.rps], [400, 40]);
  assertEquals(view.proxy.readiness, "ready");
  assertEquals(view.proxy.uptimeSeconds, 10);
});

Deno.test("createDashboard() counts 5xx and connect errors per backend and what clients got", () => {
  const { dashboard, metrics, a, tick, serve } = setup();
  serve(a, 3, 0.001, 503);
  metrics.error(a, "connect");
  metrics.attempt(a, "error", 0);
  tick();
  const row = dashboard.view().routes[0]!.backends[0]!;
  assertEquals([row.serverErrors, row.connectErrors], [3, 1]);
  assertEquals(dashboard.view().totals.serverErrors, 3);
});

Deno.test("createDashboard() shows an ejection with its end, then the restore, as state and events", () => {
  const { dashboard, a, clock, tick } = setup();
  const logger = dashboard.teeLogger(memoryLogger());
  a.ejectedUntil = clock.now + 5000;
  a.timesEjected = 2;
  logger.warn("backend_ejected", {
    backend: a.address,
    reason: "connect",
    duration_ms: 5000,
    times_ejected: 2,
  });
  tick();
  const row = dashboard.view().routes[0]!.backends[0]!;
  assertEquals([row.state, row.ejectedUntil, row.timesEjected], ["ejected", a.ejectedUntil, 2]);
  tick(5000);
  assertEquals(dashboard.view().routes[0]!.backends[0]!.state, "up");
  assertEquals(dashboard.events.since().map((e) => [e.kind, e.warning, e.text]), [
    ["ejected", true, "10.0.0.1:80 ejected for 5 s after consecutive connect errors (2nd time)"],
    ["restored", false, "10.0.0.1:80 takes traffic again"],
  ]);
});

Deno.test("createDashboard() says slow start and draining in words", () => {
  const { dashboard, pool, tick } = setup({ slowStart: { windowMs: 10_000, minPercent: 10 } });
  pool.update([
    { address: "10.0.0.1:80", terminating: true },
    { address: "10.0.0.2:80" },
    { address: "10.0.0.3:80" },
  ]);
  tick(4000);
  const rows = dashboard.view().routes[0]!.backends;
  assertEquals(rows.map((r) => [r.address, r.state, r.slowStartPercent]), [
    ["10.0.0.1:80", "draining", null],
    ["10.0.0.2:80", "up", null],
    ["10.0.0.3:80", "slow start", 40],
  ]);
});

Deno.test("createDashboard() turns discovery log lines and watch restarts into events", () => {
  const { dashboard, clock, tick } = setup({ discoveryKind: "kubernetes" });
  const logger = dashboard.teeLogger(memoryLogger());
  logger.info("backend_added", { backend: "10.0.0.9:80" });
  logger.info("backends_changed", { total: 3 });
  dashboard.watchRestart("error");
  dashboard.watchRestart("expired");
  dashboard.watchRestart("closed");
  logger.info("backend_removed", { backend: "10.0.0.9:80" });
  const changedAt = clock.now;
  tick();
  const header = dashboard.view().proxy;
  assertEquals(header.discovery, {
    mode: "kubernetes",
    synced: true,
    lastChangeAt: changedAt,
    watchRestarts: 3,
  });
  assertEquals(dashboard.events.since().map((e) => `${e.kind}${e.warning ? "!" : ""}: ${e.text}`), [
    "added: 10.0.0.9:80 added by discovery",
    "watch error!: watch restarted after error",
    "watch restarted: watch expired (410 Gone): listed again",
    "removed: 10.0.0.9:80 removed by discovery",
  ]);
});

Deno.test("createDashboard() keeps a fixed-size history however long it runs", () => {
  const { dashboard, a, tick, serve, pool } = setup({ historyMs: 60_000 });
  for (let s = 0; s < 1000; s++) {
    serve(a, s % 7, 0.001);
    tick();
  }
  let snap = dashboard.snapshot();
  assertEquals(Object.keys(snap.history).sort(), [
    "*",
    "default/10.0.0.1:80",
    "default/10.0.0.2:80",
    "route/default",
  ]);
  for (const series of Object.values(snap.history)) {
    assertEquals([series.rps.length, series.p99Ms.length], [60, 60]);
  }
  // A backend that left the pool leaves the history with it.
  pool.update([{ address: "10.0.0.2:80" }]);
  tick();
  snap = dashboard.snapshot();
  assertEquals(Object.keys(snap.history).sort(), ["*", "default/10.0.0.2:80", "route/default"]);
});

Deno.test("createDashboard() groups backends by the routes it is given", () => {
  const { dashboard, tick } = setup((pool) => ({
    routes: () => [
      { name: "api", match: "path /api", backends: pool.all().slice(0, 1) },
      { name: "web", match: "every other request", backends: pool.all().slice(1) },
    ],
  }));
  tick();
  assertEquals(
    dashboard.view().routes.map((r) => [r.key, r.backends.map((b) => b.key)]),
    [["route/api", ["api/10.0.0.1:80"]], ["route/web", ["web/10.0.0.2:80"]]],
  );
});

/** Reads SSE messages off a response body until `count` have come. */
async function readMessages(res: Response, count: number) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const messages: Array<{ event: string; data: unknown }> = [];
  while (messages.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    let end: number;
    while ((end = text.indexOf("\n\n")) !== -1) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) messages.push({ event, data: JSON.parse(data) });
    }
  }
  return { messages, reader };
}

Deno.test("Dashboard.connect() streams a snapshot, then one sample per tick, until stop()", async () => {
  const { dashboard, a, tick, serve, readiness, timers } = setup();
  serve(a, 5, 0.001);
  tick();
  const res = dashboard.connect();
  assertEquals(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  assertEquals(dashboard.viewers, 1);
  serve(a, 5, 0.001);
  tick();
  const logger = dashboard.teeLogger(memoryLogger());
  readiness.draining = true;
  logger.info("draining", {});
  dashboard.stop();
  assertEquals(timers(), 0);
  const { messages, reader } = await readMessages(res, 3);
  assertEquals(messages.map((m) => m.event), ["snapshot", "sample", "sample"]);
  const snapshot = messages[0]!.data as DashboardSnapshot;
  assertEquals(snapshot.routes[0]!.backends[0]!.requests, 5);
  assertEquals(snapshot.history["default/10.0.0.1:80"]!.rps, [5]);
  const sample = messages[1]!.data as DashboardSample;
  assertEquals(sample.points["default/10.0.0.1:80"], { rps: 5, p99Ms: 0.99 });
  const last = messages[2]!.data as DashboardSample;
  assertEquals(last.proxy.readiness, "draining");
  assertEquals(last.events.map((e) => e.kind), ["draining"]);
  assertEquals((await reader.read()).done, true);
  assertEquals(dashboard.viewers, 0);
  // After stop() a viewer is told to retry, and its stream ends at once.
  const late = await dashboard.connect().text();
  assertEquals(late, "retry: 1000\n\n");
});

Deno.test("Dashboard.connect() drops a viewer that stops reading", async () => {
  const { dashboard, tick } = setup();
  const res = dashboard.connect();
  for (let i = 0; i < 100; i++) tick();
  assertEquals(dashboard.viewers, 0);
  assertStringIncludes(await res.text(), "event: snapshot");
});

Deno.test("Dashboard.connect() forgets a viewer whose request was aborted", () => {
  const { dashboard } = setup();
  const abort = new AbortController();
  dashboard.connect(abort.signal);
  assertEquals(dashboard.viewers, 1);
  abort.abort();
  assertEquals(dashboard.viewers, 0);
});
