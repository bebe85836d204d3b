// A fixed-size ring of numbers: the dashboard's history. Pushing past the capacity overwrites the
// oldest value, so memory stays the same however long the proxy runs.

export class Ring {
  readonly capacity: number;
  readonly #values: Float64Array;
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot create a ring of ${capacity} values: expected an integer >= 1`);
    }
    this.capacity = capacity;
    this.#values = new Float64Array(capacity);
  }

  /** Adds a value; NaN stands for "no value" (e.g. no requests, so no latency). */
  push(value: number): void {
    this.#values[this.#next] = value;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  get size(): number {
    return this.#size;
  }

  /** The newest value, or NaN when empty. */
  last(): number {
    return this.#size === 0 ? NaN : this.#values[(this.#next - 1 + this.capacity) % this.capacity]!;
  }

  /** The values, oldest first, NaN as null (what JSON can carry), rounded to `digits`. */
  toJSON(digits = 3): Array<number | null> {
    const out: Array<number | null> = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    const scale = 10 ** digits;
    for (let i = 0; i < this.#size; i++) {
      const v = this.#values[(start + i) % this.capacity]!;
      out.push(Number.isNaN(v) ? null : Math.round(v * scale) / scale);
    }
    return out;
  }
}
