// What the dashboard page is sent over /events: the shape of the data, kept apart from how it is
// sampled. Routes own their backends, so when a route table exists each route is one more entry
// of `routes`; until then the proxy is one implicit route.
import type { DashboardEvent } from "./event_log.ts";

/** In words, so the page reads without colour. `draining`: discovery says it is terminating. */
export type BackendState = "up" | "ejected" | "slow start" | "draining";

/** Counts so far, and rates and latency over the last `windowSeconds`. */
export interface Figures {
  inflight: number;
  requests: number;
  rps: number;
  /** Time to response headers; null when no request finished in the window (or metrics are off). */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Responses with a status of 500 or more (for the whole proxy: what clients got). */
  serverErrors: number;
  connectErrors: number;
}

export interface BackendView extends Figures {
  /** Names its series in `history` and `points`: `route/address` (see seriesKey). */
  key: string;
  address: string;
  state: BackendState;
  /** When an ejected backend takes traffic again (wall clock ms). */
  ejectedUntil: number | null;
  /** A slow-starting backend's share of its weight, 1-100. */
  slowStartPercent: number | null;
  /** Its part of the route's requests so far, 0-1. */
  share: number;
  timesEjected: number;
  weight: number;
}

export interface RouteView {
  /** Names the route's series: `route/` + its name. */
  key: string;
  name: string;
  /** What requests the route takes, in words. */
  match: string;
  totals: Figures;
  backends: BackendView[];
}

export interface HeaderView {
  version: string;
  runtime: string;
  startedAt: number;
  uptimeSeconds: number;
  readiness: "ready" | "not ready" | "draining";
  /** Why not ready; absent when ready. */
  reason?: string;
  /** Pages connected to /events now (this one included). */
  viewers: number;
  discovery: {
    mode: string;
    synced: boolean;
    /** When discovery last delivered a changed set of backends (wall clock ms). */
    lastChangeAt: number | null;
    watchRestarts: number;
  };
}

/** The key of the whole proxy's series. */
export const PROXY_KEY = "*";

/** The key of a route's series, or of one backend's series within a route. */
export function seriesKey(route: string, address?: string): string {
  return address === undefined ? `route/${route}` : `${route}/${address}`;
}

export interface DashboardView {
  /** When this was sampled (wall clock ms). */
  at: number;
  intervalMs: number;
  windowSeconds: number;
  historyPoints: number;
  proxy: HeaderView;
  totals: Figures;
  routes: RouteView[];
}

/** One point of a sparkline pair; null where there was no latency to show. */
export interface Point {
  rps: number | null;
  p99Ms: number | null;
}

/** The sparklines of one series, oldest point first, one point per interval. */
export interface Series {
  rps: Array<number | null>;
  p99Ms: Array<number | null>;
}

/** What a viewer gets when it connects: the view, every series' history, the recent events. */
export interface DashboardSnapshot extends DashboardView {
  history: Record<string, Series>;
  events: DashboardEvent[];
}

/** Then once per interval: the view, each series' newest point, the events since the last. */
export interface DashboardSample extends DashboardView {
  points: Record<string, Point>;
  events: DashboardEvent[];
}
