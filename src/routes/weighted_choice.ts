// Which of a rule's backendRefs takes the next request, by their weights: smooth weighted
// round-robin (nginx's), so an 80/20 split is 80/20 over every 5 requests, not on average.
// Weight 0 takes nothing; a rule whose weights are all 0 has no choice to make.

export class WeightedChoice<T> {
  readonly #items: readonly T[];
  readonly #weights: readonly number[];
  readonly #current: number[];
  readonly #total: number;

  constructor(items: readonly T[], weights: readonly number[]) {
    if (items.length !== weights.length) {
      throw new RangeError(
        `Cannot weigh ${items.length} items with ${weights.length} weights: expected one each`,
      );
    }
    this.#items = items;
    this.#weights = weights;
    this.#current = weights.map(() => 0);
    this.#total = weights.reduce((sum, w) => sum + Math.max(0, w), 0);
  }

  /** The next item, or undefined when every weight is 0. */
  next(): T | undefined {
    if (this.#total === 0) return undefined;
    if (this.#items.length === 1) return this.#items[0];
    let best = -1;
    for (let i = 0; i < this.#items.length; i++) {
      const w = this.#weights[i]!;
      if (w <= 0) continue;
      this.#current[i]! += w;
      if (best === -1 || this.#current[i]! > this.#current[best]!) best = i;
    }
    this.#current[best]! -= this.#total;
    return this.#items[best];
  }
}
