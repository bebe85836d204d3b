// A gauge family whose values are read at scrape time through a callback, so whatever it measures
// (pool state, memory) costs nothing between scrapes.
import {
  checkNames,
  familyHeader,
  formatValue,
  labelText,
  type Metric,
  samplePrefix,
} from "./exposition.ts";

/** Reports one sample: its value, then its label values in labelNames order. */
export type GaugeEmit = (value: number, ...labelValues: string[]) => void;

export interface GaugeOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
  /** Called on every render; calls `emit` once per label set (an unlabeled gauge: once). */
  collect: (emit: GaugeEmit) => void;
}

export class Gauge implements Metric {
  readonly name: string;
  readonly #header: string;
  readonly #labelNames: readonly string[];
  readonly #collect: (emit: GaugeEmit) => void;

  constructor({ name, help, labelNames = [], collect }: GaugeOptions) {
    checkNames(name, labelNames);
    this.name = name;
    this.#header = familyHeader(name, help, "gauge");
    this.#labelNames = labelNames;
    this.#collect = collect;
  }

  render(out: string[]): void {
    out.push(this.#header);
    this.#collect((value, ...labelValues) => {
      out.push(
        samplePrefix(this.name, labelText(this.#labelNames, labelValues)),
        formatValue(value),
        "\n",
      );
    });
  }
}
