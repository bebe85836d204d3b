// Exponential backoff with jitter for retrying the API server: initial → ×2 per failure → cap,
// each delay spread ±20% so many replicas do not retry in step.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  random?: () => number;
}

export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #failures = 0;

  constructor({ initialMs, maxMs, random = Math.random }: BackoffOptions) {
    this.#initialMs = initialMs;
    this.#maxMs = Math.max(initialMs, maxMs);
    this.#random = random;
  }

  /** The delay before the next attempt; each call doubles the base up to the cap. */
  next(): number {
    const base = Math.min(this.#maxMs, this.#initialMs * 2 ** this.#failures);
    this.#failures = Math.min(this.#failures + 1, 40);
    const spread = base * 0.2 * (2 * this.#random() - 1);
    return Math.max(0, Math.min(this.#maxMs, Math.round(base + spread)));
  }

  /** Back to the initial delay (after a success). */
  reset(): void {
    this.#failures = 0;
  }

  get failures(): number {
    return this.#failures;
  }
}
