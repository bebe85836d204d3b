// A histogram family: per label set, counts of observations per bucket, their sum and count.
// observe() bumps one slot of a preallocated array; the cumulative `le` buckets are computed when
// the text is rendered, not per observation.
import {
  checkNames,
  escapeLabelValue,
  familyHeader,
  formatValue,
  type Metric,
  samplePrefix,
} from "./exposition.ts";
import { LabeledSeries } from "./labeled_series.ts";

/** Prometheus' client default: 5 ms to 10 s. */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
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

export interface HistogramOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
  /** Upper bounds, strictly increasing; `+Inf` is implied and may be left out. */
  buckets?: readonly number[];
}

/** One label set's observations. */
export class HistogramSeries {
  readonly bounds: readonly number[];
  /** Observations per bucket, not cumulative; the last slot is the `+Inf` bucket's own share. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  /** Sample-line prefixes built once: one per bucket (`+Inf` last), then `_sum`, then `_count`. */
  readonly prefixes: readonly string[];

  constructor(bounds: readonly number[], prefixes: readonly string[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
    this.prefixes = prefixes;
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    // A bucket holds observations <= its bound; a dozen bounds make a linear scan the fastest.
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export class Histogram implements Metric {
  readonly name: string;
  readonly buckets: readonly number[];
  readonly #header: string;
  readonly #series: LabeledSeries<HistogramSeries>;

  constructor({ name, help, labelNames = [], buckets = DEFAULT_BUCKETS }: HistogramOptions) {
    checkNames(name, labelNames, ["le"]);
    this.name = name;
    this.buckets = Object.freeze(checkBuckets(name, buckets));
    this.#header = familyHeader(name, help, "histogram");
    const les = [...this.buckets, Infinity].map((b) => `le="${escapeLabelValue(formatValue(b))}"`);
    this.#series = new LabeledSeries(labelNames, (labels) => {
      const sep = labels === "" ? "" : ",";
      const prefixes = les.map((le) => `${name}_bucket{${labels}${sep}${le}} `);
      prefixes.push(samplePrefix(`${name}_sum`, labels), samplePrefix(`${name}_count`, labels));
      return new HistogramSeries(this.buckets, prefixes);
    });
    // An unlabeled histogram renders its zero buckets from the start.
    if (labelNames.length === 0) this.#series.get([]);
  }

  /** The series for these label values (in labelNames order), made on first use. */
  labels(...values: string[]): HistogramSeries {
    return this.#series.get(values);
  }

  /** Observes into an unlabeled histogram. */
  observe(value: number): void {
    this.#series.get([]).observe(value);
  }

  /** Stops rendering a label set; says whether it existed. */
  remove(...values: string[]): boolean {
    return this.#series.delete(values);
  }

  render(out: string[]): void {
    out.push(this.#header);
    for (const series of this.#series.values()) {
      const { counts, prefixes } = series;
      let cumulative = 0;
      for (let i = 0; i < counts.length; i++) {
        cumulative += counts[i]!;
        out.push(prefixes[i]!, formatValue(cumulative), "\n");
      }
      out.push(prefixes[counts.length]!, formatValue(series.sum), "\n");
      out.push(prefixes[counts.length + 1]!, formatValue(series.count), "\n");
    }
  }
}

function checkBuckets(name: string, buckets: readonly number[]): number[] {
  const bounds = buckets.at(-1) === Infinity ? buckets.slice(0, -1) : [...buckets];
  for (let i = 0; i < bounds.length; i++) {
    const bound = bounds[i]!;
    if (!Number.isFinite(bound) || (i > 0 && bound <= bounds[i - 1]!)) {
      throw new RangeError(
        `Cannot create histogram ${name}: buckets must be finite and strictly increasing, got ${
          buckets.join(", ")
        }`,
      );
    }
  }
  return bounds;
}
