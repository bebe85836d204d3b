// A counter family: a value per label set that only goes up. A series is made once per label set
// and then increments a number, so holding it costs the hot path no lookup and no allocation.
import { checkNames, familyHeader, formatValue, type Metric, samplePrefix } from "./exposition.ts";
import { LabeledSeries } from "./labeled_series.ts";

export interface CounterOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

/** One label set's count. */
export class CounterSeries {
  value = 0;
  /** `name{labels} `, built once so rendering only appends the value. */
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  inc(by = 1): void {
    if (!(by >= 0)) throw new RangeError(`Cannot increment a counter by ${by}: it only goes up`);
    this.value += by;
  }
}

export class Counter implements Metric {
  readonly name: string;
  readonly #header: string;
  readonly #series: LabeledSeries<CounterSeries>;
  readonly #unlabeled: CounterSeries | undefined;

  constructor({ name, help, labelNames = [] }: CounterOptions) {
    checkNames(name, labelNames);
    this.name = name;
    this.#header = familyHeader(name, help, "counter");
    this.#series = new LabeledSeries(
      labelNames,
      (labels) => new CounterSeries(samplePrefix(name, labels)),
    );
    // An unlabeled counter shows 0 from the start, so rate() has a first point.
    this.#unlabeled = labelNames.length === 0 ? this.#series.get([]) : undefined;
  }

  /** The series for these label values (in labelNames order), made on first use. */
  labels(...values: string[]): CounterSeries {
    return this.#series.get(values);
  }

  /** Increments an unlabeled counter. */
  inc(by = 1): void {
    if (this.#unlabeled === undefined) {
      throw new TypeError(`Cannot increment ${this.name} without labels: use labels(...)`);
    }
    this.#unlabeled.inc(by);
  }

  /** Stops rendering a label set (its backend is gone); says whether it existed. */
  remove(...values: string[]): boolean {
    return this.#series.delete(values);
  }

  render(out: string[]): void {
    out.push(this.#header);
    for (const series of this.#series.values()) {
      out.push(series.prefix, formatValue(series.value), "\n");
    }
  }
}
