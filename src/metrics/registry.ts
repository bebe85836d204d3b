// The set of metric families one `/metrics` endpoint shows, rendered in the Prometheus text
// exposition format 0.0.4 in the order they were registered.
import { Counter, type CounterOptions } from "./counter.ts";
import type { Metric } from "./exposition.ts";
import { Gauge, type GaugeOptions } from "./gauge.ts";
import { Histogram, type HistogramOptions } from "./histogram.ts";

export class Registry {
  readonly #metrics: Metric[] = [];
  readonly #names = new Set<string>();

  /** Adds a family; its name must be new to this registry. */
  register<T extends Metric>(metric: T): T {
    if (this.#names.has(metric.name)) {
      throw new TypeError(`Cannot register metric ${metric.name}: the name is already registered`);
    }
    this.#names.add(metric.name);
    this.#metrics.push(metric);
    return metric;
  }

  counter(options: CounterOptions): Counter {
    return this.register(new Counter(options));
  }

  gauge(options: GaugeOptions): Gauge {
    return this.register(new Gauge(options));
  }

  histogram(options: HistogramOptions): Histogram {
    return this.register(new Histogram(options));
  }

  /** The exposition text: every family's HELP and TYPE lines, then its samples. */
  render(): string {
    const out: string[] = [];
    for (const metric of this.#metrics) metric.render(out);
    return out.join("");
  }
}
