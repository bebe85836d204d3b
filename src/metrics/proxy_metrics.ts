// podgate's own metric families (issue 5) behind the few calls the request path makes. Each call
// is a couple of map lookups and a number bump: label text is built once per backend and status,
// and whatever the pool already knows (in-flight, health, endpoint states) is read at scrape time.
import type { Upstream } from "../balancer/upstream.ts";
import type { UpstreamErrorKind } from "../proxy/errors.ts";
import type { Counter, CounterSeries } from "./counter.ts";
import type { Histogram, HistogramSeries } from "./histogram.ts";
import { type ProcessMetricsOptions, registerProcessMetrics } from "./process_metrics.ts";
import { Registry } from "./registry.ts";

/** 1 ms to 10 s: a loopback hop takes about a millisecond, the default timeouts are seconds. */
export const UPSTREAM_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
]);

/** A backend that left the pool keeps its series this long, so scrapes see its last counts. */
export const DEFAULT_FORGET_AFTER_MS = 5 * 60_000;

export interface ProxyMetricsOptions {
  /** The balancer's pool; only read at scrape time (and when a new backend shows up). */
  pool: { all(): readonly Upstream[] };
  /** The balancer's clock in milliseconds (health and forgetting use it). */
  now?: () => number;
  /** "deno" or "bun", for podgate_build_info. */
  runtimeName: string;
  version: string;
  /**
   * How long the series of a backend that left the pool are kept. Pod IPs churn, so without
   * forgetting, every pod the proxy ever saw would keep its series for the process's lifetime.
   */
  forgetAfterMs?: number;
  buckets?: readonly number[];
  process?: ProcessMetricsOptions;
}

/** A backend's counts as the dashboard reads them once a second (live objects: read only). */
export interface BackendCounts {
  /** Attempts answered with a status of 500 or more. */
  readonly serverErrors: number;
  /** Attempts that could not connect. */
  readonly connectErrors: number;
  /** Time to response headers: per-bucket counts, not cumulative. */
  readonly latency: HistogramSeries;
}

/** A backend's series, built once, found from its Upstream without building a string. */
interface BackendSeries {
  readonly address: string;
  readonly requests: Map<number | "error", CounterSeries>;
  readonly errors: Map<UpstreamErrorKind, CounterSeries>;
  readonly duration: HistogramSeries;
  /** When a sweep first found it missing from the pool; undefined while it is there. */
  goneSince: number | undefined;
  /** Its series were removed: an Upstream still pointing here must look again. */
  forgotten: boolean;
}

export class ProxyMetrics {
  /** Where the families live; more may be registered on it. */
  readonly registry = new Registry();
  readonly #pool: ProxyMetricsOptions["pool"];
  readonly #now: () => number;
  readonly #forgetAfterMs: number;
  readonly #byUpstream = new WeakMap<Upstream, BackendSeries>();
  readonly #byAddress = new Map<string, BackendSeries>();
  readonly #responsesByStatus = new Map<number, CounterSeries>();
  readonly #routeResponses = new Map<string, Map<number, CounterSeries>>();
  readonly #routeCounter: Counter;

  readonly #responses: Counter;
  readonly #upstreamRequests: Counter;
  readonly #duration: Histogram;
  readonly #errors: Counter;
  readonly #retries: Counter;
  readonly #watchRestarts: Counter;

  constructor({
    pool,
    now = Date.now,
    runtimeName,
    version,
    forgetAfterMs = DEFAULT_FORGET_AFTER_MS,
    buckets = UPSTREAM_DURATION_BUCKETS,
    process,
  }: ProxyMetricsOptions) {
    this.#pool = pool;
    this.#now = now;
    this.#forgetAfterMs = forgetAfterMs;
    const r = this.registry;
    this.#responses = r.counter({
      name: "podgate_requests_total",
      help: "Proxied requests answered, by the status the client got (the proxy's own included).",
      labelNames: ["code"],
    });
    this.#routeCounter = r.counter({
      name: "podgate_route_requests_total",
      help: 'Requests answered, by route ("-" when none matched) and status; configs with routes.',
      labelNames: ["route", "code"],
    });
    this.#upstreamRequests = r.counter({
      name: "podgate_upstream_requests_total",
      help: 'Attempts sent to a backend, by its status ("error" when no response came back).',
      labelNames: ["backend", "code"],
    });
    this.#duration = r.histogram({
      name: "podgate_upstream_request_duration_seconds",
      help: "Time from sending an attempt to its response headers (or its failure).",
      labelNames: ["backend"],
      buckets,
    });
    this.#errors = r.counter({
      name: "podgate_upstream_errors_total",
      help: "Attempts that got no response, by backend and kind.",
      labelNames: ["backend", "kind"],
    });
    this.#retries = r.counter({
      name: "podgate_upstream_retries_total",
      help: "Attempts that were retries of an earlier one.",
    });
    r.gauge({
      name: "podgate_upstream_inflight",
      help: "Requests a backend is serving now.",
      labelNames: ["backend"],
      collect: (emit) => {
        for (const u of this.#upstreams()) emit(u.inflight, u.address);
      },
    });
    r.gauge({
      name: "podgate_backend_up",
      help: "1 when a backend can take new requests (not terminating, not ejected), else 0.",
      labelNames: ["backend"],
      collect: (emit) => {
        const now = this.#now();
        for (const u of this.#upstreams()) emit(u.available(now) ? 1 : 0, u.address);
      },
    });
    r.gauge({
      name: "podgate_endpoints",
      help:
        "Endpoints discovery reports, by state (an ejected terminating one counts as terminating).",
      labelNames: ["state"],
      collect: (emit) => {
        const now = this.#now();
        let ready = 0, terminating = 0, ejected = 0;
        for (const u of this.#upstreams()) {
          if (u.terminating) terminating++;
          else if (u.isEjected(now)) ejected++;
          else ready++;
        }
        emit(ready, "ready");
        emit(terminating, "terminating");
        emit(ejected, "ejected");
      },
    });
    this.#watchRestarts = r.counter({
      name: "podgate_kube_watch_restarts_total",
      help: "Times the Kubernetes watch started again, by reason.",
      labelNames: ["reason"],
    });
    r.gauge({
      name: "podgate_build_info",
      help: "Always 1; the labels say which podgate this is and what runs it.",
      labelNames: ["version", "runtime"],
      collect: (emit) => emit(1, version, runtimeName),
    });
    registerProcessMetrics(r, process);
  }

  /** Counts one attempt on `upstream` and how long it took to get headers (or to fail). */
  attempt(upstream: Upstream, status: number | "error", seconds: number): void {
    const backend = this.#backend(upstream);
    let series = backend.requests.get(status);
    if (series === undefined) {
      series = this.#upstreamRequests.labels(backend.address, String(status));
      backend.requests.set(status, series);
    }
    series.value++;
    // A clock step backwards must not poison the sum.
    backend.duration.observe(seconds > 0 ? seconds : 0);
  }

  /** Counts an attempt on `upstream` that got no response. */
  error(upstream: Upstream, kind: UpstreamErrorKind): void {
    const backend = this.#backend(upstream);
    let series = backend.errors.get(kind);
    if (series === undefined) {
      series = this.#errors.labels(backend.address, kind);
      backend.errors.set(kind, series);
    }
    series.value++;
  }

  /** Counts an attempt that retries an earlier one. */
  retry(): void {
    this.#retries.inc();
  }

  /**
   * Counts a proxied request answered with `status`, whoever produced it, and under its route
   * when the config has routes (`route` undefined: the implicit route, counted once only).
   */
  response(status: number, route?: string): void {
    let series = this.#responsesByStatus.get(status);
    if (series === undefined) {
      series = this.#responses.labels(String(status));
      this.#responsesByStatus.set(status, series);
    }
    series.value++;
    if (route === undefined) return;
    let byStatus = this.#routeResponses.get(route);
    if (byStatus === undefined) this.#routeResponses.set(route, byStatus = new Map());
    let routeSeries = byStatus.get(status);
    if (routeSeries === undefined) {
      routeSeries = this.#routeCounter.labels(route, String(status));
      byStatus.set(status, routeSeries);
    }
    routeSeries.value++;
  }

  /** Requests answered under `route` so far, by status (for /info). */
  routeCounts(route: string): ReadonlyMap<number, number> {
    const out = new Map<number, number>();
    for (const [status, series] of this.#routeResponses.get(route) ?? []) {
      out.set(status, series.value);
    }
    return out;
  }

  /** Counts a restart of the Kubernetes watch (the reflector's `onRestart`). */
  watchRestart(reason: string): void {
    this.#watchRestarts.labels(reason).inc();
  }

  /** What has been counted for the backend at `address`; undefined before its first attempt.
   * Read off the request path (the dashboard's sampler), so it may walk the status map. */
  backendCounts(address: string): BackendCounts | undefined {
    const backend = this.#byAddress.get(address);
    if (backend === undefined) return undefined;
    let serverErrors = 0;
    for (const [status, series] of backend.requests) {
      if (status !== "error" && status >= 500) serverErrors += series.value;
    }
    return {
      serverErrors,
      connectErrors: backend.errors.get("connect")?.value ?? 0,
      latency: backend.duration,
    };
  }

  /** Proxied requests whose client got a status of 500 or more, the proxy's own included. */
  serverErrorResponses(): number {
    let total = 0;
    for (const [status, series] of this.#responsesByStatus) {
      if (status >= 500) total += series.value;
    }
    return total;
  }

  /** The `/metrics` body; serve it with PROMETHEUS_CONTENT_TYPE. */
  render(): string {
    this.#forgetGone();
    return this.registry.render();
  }

  #backend(upstream: Upstream): BackendSeries {
    const known = this.#byUpstream.get(upstream);
    if (known !== undefined && !known.forgotten) return known;
    // A new Upstream object may stand for an address seen before (it left the pool and came
    // back): it shares that address's series, so its counters never go backwards.
    let backend = this.#byAddress.get(upstream.address);
    if (backend === undefined) {
      // New backends arrive with churn, which is also when old ones need forgetting: sweeping
      // here keeps memory bounded even when nobody scrapes.
      this.#forgetGone();
      backend = {
        address: upstream.address,
        requests: new Map(),
        errors: new Map(),
        duration: this.#duration.labels(upstream.address),
        goneSince: undefined,
        forgotten: false,
      };
      this.#byAddress.set(upstream.address, backend);
    }
    this.#byUpstream.set(upstream, backend);
    return backend;
  }

  #forgetGone(): void {
    if (this.#byAddress.size === 0) return;
    const now = this.#now();
    const present = new Set(this.#pool.all().map((u) => u.address));
    for (const [address, backend] of this.#byAddress) {
      if (present.has(address)) {
        backend.goneSince = undefined;
        continue;
      }
      backend.goneSince ??= now;
      if (now - backend.goneSince < this.#forgetAfterMs) continue;
      for (const status of backend.requests.keys()) {
        this.#upstreamRequests.remove(address, String(status));
      }
      for (const kind of backend.errors.keys()) this.#errors.remove(address, kind);
      this.#duration.remove(address);
      backend.forgotten = true;
      this.#byAddress.delete(address);
    }
  }

  /** The pool's upstreams, each address once (a label set must not repeat in a scrape). */
  *#upstreams(): Generator<Upstream> {
    const seen = new Set<string>();
    for (const u of this.#pool.all()) {
      if (seen.has(u.address)) continue;
      seen.add(u.address);
      yield u;
    }
  }
}

/** The metrics a proxy keeps, with the process metrics and build info registered. */
export function createProxyMetrics(options: ProxyMetricsOptions): ProxyMetrics {
  return new ProxyMetrics(options);
}
