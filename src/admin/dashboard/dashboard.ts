// The live dashboard's state: a sampler that reads, on its own timer, what the proxy already
// keeps (the pool's upstreams, the metrics' counters and latency buckets, readiness) into
// fixed-size rings, and hands each sample to the viewers of /events. The request path is not
// touched: with no viewer a tick is a few array writes per backend and no message is built.
import type { Pool } from "../../balancer/pool.ts";
import { slowStartFactor, type SlowStartOptions } from "../../balancer/slow_start.ts";
import type { Upstream } from "../../balancer/upstream.ts";
import type { Fields, Logger } from "../../log.ts";
import { type ProxyMetrics, UPSTREAM_DURATION_BUCKETS } from "../../metrics/proxy_metrics.ts";
import type { ProxyStats } from "../../proxy/stats.ts";
import { notReadyReason, type Readiness } from "./readiness.ts";
import { EventLog } from "./event_log.ts";
import { EventStream, sseMessage } from "./event_stream.ts";
import {
  type BackendState,
  type BackendView,
  type DashboardSample,
  type DashboardSnapshot,
  type DashboardView,
  type Figures,
  type HeaderView,
  type Point,
  PROXY_KEY,
  type RouteView,
  type Series,
  seriesKey,
} from "./model.ts";
import {
  BUCKETS,
  CONNECT_ERRORS,
  REQUESTS,
  round,
  SeriesTracker,
  SERVER_ERRORS,
} from "./series_tracker.ts";
import { teeLogger } from "./tee_logger.ts";

/** The backends of one route as the dashboard groups them. */
export interface DashboardRoute {
  name: string;
  /** What requests it takes, in words. */
  match: string;
  backends: readonly Upstream[];
}

export interface DashboardOptions {
  pool: Pool;
  readiness: Readiness;
  /** Where 5xx, connect errors and latency come from; without it those read 0 and "no data". */
  metrics?: ProxyMetrics | undefined;
  /** The proxy's request count and start time. */
  stats?: ProxyStats | undefined;
  version: string;
  runtime?: string;
  /** "static" or "kubernetes". */
  discoveryKind: string;
  /** The strategies' slow start, so a ramping backend says so. */
  slowStart?: SlowStartOptions;
  /** Why the proxy is not ready (draining aside), as /ready says it; from `pool` by default. */
  notReady?: () => string | undefined;
  /** Whether discovery has delivered its first snapshot; `pool.synced` by default. */
  synced?: () => boolean;
  /** The route table; until one exists every backend is in the implicit route "default". */
  routes?: () => readonly DashboardRoute[];
  /** Wall clock in ms (the balancer's). */
  now?: () => number;
  sampleMs?: number;
  /** How far back the sparklines reach. */
  historyMs?: number;
  /** The span of the rps and p50/p99 figures in the table. */
  windowMs?: number;
  /** Recent events kept. */
  eventCapacity?: number;
  /** Timer functions (tests pass their own, or none and call sample()). */
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/** The log messages that become dashboard events. */
const EVENT_MSGS: ReadonlySet<string> = new Set([
  "backend_added",
  "backend_removed",
  "backend_ejected",
  "backends_changed",
  "draining",
]);

interface Tracked {
  readonly tracker: SeriesTracker;
  wasEjected: boolean;
  /** The sample it was last seen in; trackers not seen in the newest one are dropped. */
  seenAt: number;
}

export class Dashboard {
  readonly sampleMs: number;
  readonly historyPoints: number;
  readonly events: EventLog;
  readonly #notReady: () => string | undefined;
  readonly #synced: () => boolean;
  readonly #readiness: Readiness;
  readonly #metrics: ProxyMetrics | undefined;
  readonly #stats: ProxyStats | undefined;
  readonly #version: string;
  readonly #runtime: string;
  readonly #discoveryKind: string;
  readonly #slowStart: SlowStartOptions | undefined;
  readonly #routes: () => readonly DashboardRoute[];
  readonly #now: () => number;
  readonly #windowSteps: number;
  readonly #startedAt: number;
  readonly #stream = new EventStream();
  readonly #tracked = new Map<string, Tracked>();
  readonly #clearInterval: (handle: unknown) => void;
  #timer: unknown;
  #tick = 0;
  #sentSeq = 0;
  #lastChangeAt: number | null = null;
  #watchRestarts = 0;
  #last: DashboardView | undefined;
  /** One row of counters, reused for every series each tick. */
  #row = new Float64Array(BUCKETS + UPSTREAM_DURATION_BUCKETS.length + 1);

  constructor(options: DashboardOptions) {
    const {
      pool,
      readiness,
      metrics,
      stats,
      version,
      runtime = "",
      discoveryKind,
      slowStart,
      now = Date.now,
      sampleMs = 1000,
      historyMs = 300_000,
      windowMs = 10_000,
      eventCapacity = 100,
      setInterval: every = globalThis.setInterval,
      clearInterval: stopEvery = (h) => globalThis.clearInterval(h as number),
    } = options;
    if (!Number.isInteger(sampleMs) || sampleMs < 10) {
      throw new RangeError(`Cannot sample the dashboard every ${sampleMs} ms: expected >= 10`);
    }
    this.#notReady = options.notReady ?? (() => notReadyReason(pool, { draining: false }));
    this.#synced = options.synced ?? (() => pool.synced);
    this.#readiness = readiness;
    this.#metrics = metrics;
    this.#stats = stats;
    this.#version = version;
    this.#runtime = runtime;
    this.#discoveryKind = discoveryKind;
    this.#slowStart = slowStart;
    this.#routes = options.routes ??
      (() => [{ name: "default", match: "every request", backends: pool.all() }]);
    this.#now = now;
    this.sampleMs = sampleMs;
    this.historyPoints = Math.max(2, Math.round(historyMs / sampleMs));
    this.#windowSteps = Math.max(1, Math.round(windowMs / sampleMs));
    this.#startedAt = stats?.startedAt ?? now();
    this.events = new EventLog({ capacity: eventCapacity, now });
    this.#clearInterval = stopEvery;
    const handle = every(() => this.sample(), sampleMs);
    // The sampler must not keep a stopping process alive.
    (handle as { unref?: () => void } | undefined)?.unref?.();
    this.#timer = handle;
    this.sample();
  }

  /** Viewers connected to /events now. */
  get viewers(): number {
    return this.#stream.size;
  }

  /** `logger`, with the lines the dashboard shows as events also fed to it. */
  teeLogger(logger: Logger): Logger {
    return teeLogger(logger, EVENT_MSGS, (msg, fields) => this.#onLog(msg, fields));
  }

  /** The /events response for one viewer: a snapshot, then a sample per tick. */
  connect(signal?: AbortSignal): Response {
    return this.#stream.connect(() => {
      const snapshot = this.snapshot();
      // Built just before this viewer is counted.
      snapshot.proxy = { ...snapshot.proxy, viewers: this.#stream.size + 1 };
      return sseMessage("snapshot", snapshot);
    }, signal);
  }

  /** Takes a sample now (the timer calls this every sampleMs). */
  sample(): void {
    const at = this.#now();
    const tick = ++this.#tick;
    const width = this.#row.length;
    const proxy = new Float64Array(width);
    proxy[0] = at;
    for (const route of this.#routes()) {
      const routeRow = new Float64Array(width);
      routeRow[0] = at;
      for (const u of route.backends) {
        const row = this.#backendRow(u, at);
        for (let i = 1; i < width; i++) routeRow[i]! += row[i]!;
        const tracked = this.#track(seriesKey(route.name, u.address), tick);
        tracked.tracker.push(row);
        const ejected = u.isEjected(at);
        if (tracked.wasEjected && !ejected) {
          this.events.add("restored", `${u.address} takes traffic again`, { backend: u.address });
        }
        tracked.wasEjected = ejected;
      }
      for (let i = 1; i < width; i++) proxy[i]! += routeRow[i]!;
      this.#track(seriesKey(route.name), tick).tracker.push(routeRow);
    }
    // What clients got is the proxy's own count (its 502s and 503s included), when it keeps one.
    if (this.#stats) proxy[REQUESTS] = this.#stats.totalRequests;
    if (this.#metrics) proxy[SERVER_ERRORS] = this.#metrics.serverErrorResponses();
    this.#track(PROXY_KEY, tick).tracker.push(proxy);
    for (const [key, tracked] of this.#tracked) {
      if (tracked.seenAt !== tick) this.#tracked.delete(key);
    }
    this.#last = undefined;
    if (this.#stream.size === 0) return;
    this.#stream.broadcast(sseMessage("sample", this.#sampleMessage(), tick));
  }

  /** The current view with every series' history and the recent events (a new viewer's start). */
  snapshot(): DashboardSnapshot {
    const history: Record<string, Series> = {};
    for (const [key, { tracker }] of this.#tracked) {
      history[key] = { rps: tracker.rps.toJSON(2), p99Ms: tracker.p99Ms.toJSON(3) };
    }
    return { ...this.view(), history, events: this.events.since(0) };
  }

  /** What the page shows, as of the last sample. */
  view(): DashboardView {
    return this.#last ??= this.#buildView();
  }

  /** Stops sampling and ends every /events stream, telling viewers the proxy is going. */
  stop(): void {
    if (this.#timer !== undefined) this.#clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#stream.size > 0) {
      this.#last = undefined;
      this.#stream.broadcast(sseMessage("sample", this.#sampleMessage(), ++this.#tick));
    }
    this.#stream.close();
  }

  #sampleMessage(): DashboardSample {
    const points: Record<string, Point> = {};
    for (const [key, { tracker }] of this.#tracked) {
      const rps = tracker.rps.last();
      const p99 = tracker.p99Ms.last();
      points[key] = {
        rps: Number.isNaN(rps) ? null : round(rps, 2),
        p99Ms: Number.isNaN(p99) ? null : round(p99, 3),
      };
    }
    const events = this.events.since(this.#sentSeq);
    this.#sentSeq = this.events.seq;
    return { ...this.view(), points, events };
  }

  #track(key: string, tick: number): Tracked {
    let tracked = this.#tracked.get(key);
    if (tracked === undefined) {
      tracked = {
        tracker: new SeriesTracker(UPSTREAM_DURATION_BUCKETS, {
          historyPoints: this.historyPoints,
          windowSteps: this.#windowSteps,
        }),
        wasEjected: false,
        seenAt: tick,
      };
      this.#tracked.set(key, tracked);
    }
    tracked.seenAt = tick;
    return tracked;
  }

  /** One backend's counters, laid out as SeriesTracker wants them (in the shared row). */
  #backendRow(u: Upstream, at: number): Float64Array {
    const row = this.#row.fill(0);
    row[0] = at;
    row[REQUESTS] = u.requestsForwarded;
    const counts = this.#metrics?.backendCounts(u.address);
    if (counts) {
      row[SERVER_ERRORS] = counts.serverErrors;
      row[CONNECT_ERRORS] = counts.connectErrors;
      // Metrics made with other buckets than the default ones cannot be summed here.
      if (counts.latency.counts.length === row.length - BUCKETS) {
        row.set(counts.latency.counts, BUCKETS);
      }
    }
    return row;
  }

  #figures(key: string, inflight: number): Figures {
    const tracker = this.#tracked.get(key)?.tracker;
    const latest = tracker?.latest;
    const window = tracker?.figures() ?? { rps: 0, p50Ms: null, p99Ms: null };
    return {
      inflight,
      requests: latest?.[REQUESTS] ?? 0,
      rps: window.rps,
      p50Ms: window.p50Ms,
      p99Ms: window.p99Ms,
      serverErrors: latest?.[SERVER_ERRORS] ?? 0,
      connectErrors: latest?.[CONNECT_ERRORS] ?? 0,
    };
  }

  #buildView(): DashboardView {
    const at = this.#now();
    let inflight = 0;
    const routes: RouteView[] = this.#routes().map((route) => {
      let routeInflight = 0, routeRequests = 0;
      for (const u of route.backends) {
        routeInflight += u.inflight;
        routeRequests += u.requestsForwarded;
      }
      inflight += routeInflight;
      const backends = route.backends.map((u): BackendView => {
        const key = seriesKey(route.name, u.address);
        const slow = slowStartFactor(u, at, this.#slowStart);
        const ejected = u.isEjected(at);
        return {
          key,
          address: u.address,
          state: backendState(u, ejected, slow),
          ejectedUntil: ejected ? u.ejectedUntil : null,
          slowStartPercent: slow < 1 ? Math.round(slow * 100) : null,
          share: routeRequests > 0 ? round(u.requestsForwarded / routeRequests, 4) : 0,
          timesEjected: u.timesEjected,
          weight: u.weight,
          ...this.#figures(key, u.inflight),
        };
      });
      const key = seriesKey(route.name);
      return {
        key,
        name: route.name,
        match: route.match,
        totals: this.#figures(key, routeInflight),
        backends,
      };
    });
    return {
      at,
      intervalMs: this.sampleMs,
      windowSeconds: (this.#windowSteps * this.sampleMs) / 1000,
      historyPoints: this.historyPoints,
      proxy: this.#header(at),
      totals: this.#figures(PROXY_KEY, inflight),
      routes,
    };
  }

  #header(at: number): HeaderView {
    const reason = this.#notReady();
    return {
      version: this.#version,
      runtime: this.#runtime,
      startedAt: this.#startedAt,
      uptimeSeconds: Math.max(0, Math.floor((at - this.#startedAt) / 1000)),
      readiness: this.#readiness.draining ? "draining" : reason ? "not ready" : "ready",
      ...(reason && !this.#readiness.draining ? { reason } : {}),
      viewers: this.#stream.size,
      discovery: {
        mode: this.#discoveryKind,
        synced: this.#synced(),
        lastChangeAt: this.#lastChangeAt,
        watchRestarts: this.#watchRestarts,
      },
    };
  }

  #onLog(msg: string, fields: Fields | undefined): void {
    const backend = typeof fields?.backend === "string" ? fields.backend : undefined;
    const on = backend === undefined ? {} : { backend };
    switch (msg) {
      case "backend_added":
        this.events.add("added", `${backend} added by discovery`, on);
        break;
      case "backend_removed":
        this.events.add("removed", `${backend} removed by discovery`, on);
        break;
      case "backend_ejected": {
        const seconds = Number(fields?.duration_ms ?? 0) / 1000;
        const why = fields?.reason === "connect" ? "connect errors" : "5xx responses";
        const times = Number(fields?.times_ejected ?? 1);
        this.events.add(
          "ejected",
          `${backend} ejected for ${round(seconds, 1)} s after consecutive ${why} (${
            ordinal(times)
          } time)`,
          { ...on, warning: true },
        );
        break;
      }
      case "backends_changed":
        this.#lastChangeAt = this.#now();
        break;
      case "draining":
        this.events.add("draining", "draining: /ready answers 503", { warning: true });
        break;
    }
  }

  /**
   * Counts a restart of the Kubernetes watch and shows it as an event (wire it beside
   * ProxyMetrics.watchRestart, the reflector's `onRestart`). The server ending a watch on time
   * ("closed") is counted only; an expiry is routine; anything else is a warning.
   */
  watchRestart(reason: string): void {
    this.#watchRestarts++;
    if (reason === "closed") return;
    const expired = reason === "expired";
    this.events.add(
      expired ? "watch restarted" : "watch error",
      expired ? "watch expired (410 Gone): listed again" : `watch restarted after ${reason}`,
      { warning: !expired },
    );
  }
}

function backendState(u: Upstream, ejected: boolean, slowStart: number): BackendState {
  if (u.terminating) return "draining";
  if (ejected) return "ejected";
  return slowStart < 1 ? "slow start" : "up";
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th"}`;
}

/** A dashboard that samples on its own timer until stop(). */
export function createDashboard(options: DashboardOptions): Dashboard {
  return new Dashboard(options);
}
