// The last few samples of a set of cumulative counters (requests, errors, latency buckets), so
// "how many in the last second" and "in the last 10 s" are a subtraction. Fixed size: `depth`
// rows of `width` numbers, overwritten in turn.

export class CountWindow {
  readonly width: number;
  readonly depth: number;
  readonly #rows: Float64Array[];
  #next = 0;
  #size = 0;

  /** @param depth how many samples are kept: deltas reach back depth - 1 steps. */
  constructor(width: number, depth: number) {
    if (depth < 2) throw new RangeError(`Cannot keep a window of ${depth} samples: expected >= 2`);
    this.width = width;
    this.depth = depth;
    this.#rows = Array.from({ length: depth }, () => new Float64Array(width));
  }

  /** Records the counters' current values (`width` of them). */
  push(values: ArrayLike<number>): void {
    const row = this.#rows[this.#next]!;
    for (let i = 0; i < this.width; i++) row[i] = values[i] ?? 0;
    this.#next = (this.#next + 1) % this.depth;
    if (this.#size < this.depth) this.#size++;
  }

  /** How far back `delta` can reach now (0 before the second sample). */
  get span(): number {
    return Math.max(0, this.#size - 1);
  }

  /**
   * Newest minus the sample `steps` back (or the oldest kept), per counter, into `out`. A counter
   * that went down (its source was reset) counts as 0, never as negative.
   */
  delta(steps: number, out: Float64Array = new Float64Array(this.width)): Float64Array {
    const back = Math.min(steps, this.span);
    if (back === 0) return out.fill(0);
    const newest = this.#rows[(this.#next - 1 + this.depth) % this.depth]!;
    const older = this.#rows[(this.#next - 1 - back + this.depth * 2) % this.depth]!;
    for (let i = 0; i < this.width; i++) out[i] = Math.max(0, newest[i]! - older[i]!);
    return out;
  }
}
