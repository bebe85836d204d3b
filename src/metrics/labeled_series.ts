// The series of one labeled family, kept in creation order (so rendering needs no sort) and found
// by their label values. Callers on a hot path hold the series they got instead of looking it up.
import { labelText } from "./exposition.ts";

export class LabeledSeries<T> {
  readonly #labelNames: readonly string[];
  readonly #create: (labels: string) => T;
  readonly #byKey = new Map<string, T>();

  /** `create` makes a series from its rendered label text (`a="x",b="y"`). */
  constructor(labelNames: readonly string[], create: (labels: string) => T) {
    this.#labelNames = labelNames;
    this.#create = create;
  }

  /** The series for these label values, made on first use. */
  get(values: readonly string[]): T {
    // JSON keeps ["a,b","c"] and ["a","b,c"] apart, whatever the values hold.
    const key = JSON.stringify(values);
    let series = this.#byKey.get(key);
    if (series === undefined) {
      series = this.#create(labelText(this.#labelNames, values));
      this.#byKey.set(key, series);
    }
    return series;
  }

  /** Forgets a series, so it is no longer rendered; says whether it existed. */
  delete(values: readonly string[]): boolean {
    return this.#byKey.delete(JSON.stringify(values));
  }

  get size(): number {
    return this.#byKey.size;
  }

  values(): IterableIterator<T> {
    return this.#byKey.values();
  }
}
