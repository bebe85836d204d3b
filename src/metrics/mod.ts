// The metrics area's public face: a Prometheus registry and podgate's proxy metrics.
export { Counter, type CounterOptions, CounterSeries } from "./counter.ts";
export { PROMETHEUS_CONTENT_TYPE } from "./exposition.ts";
export type { Metric } from "./exposition.ts";
export { Gauge, type GaugeEmit, type GaugeOptions } from "./gauge.ts";
export { DEFAULT_BUCKETS, Histogram, type HistogramOptions, HistogramSeries } from "./histogram.ts";
export { type ProcessMetricsOptions, registerProcessMetrics } from "./process_metrics.ts";
export {
  type BackendCounts,
  createProxyMetrics,
  DEFAULT_FORGET_AFTER_MS,
  ProxyMetrics,
  type ProxyMetricsOptions,
  UPSTREAM_DURATION_BUCKETS,
} from "./proxy_metrics.ts";
export { Registry } from "./registry.ts";
