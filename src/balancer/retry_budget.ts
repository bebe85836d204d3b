// A retry budget (Envoy's retry_budget, Linkerd's ratio): retries in flight may be at most a
// share of the requests in flight, with a small floor so a quiet proxy can still retry. When
// backends fail wholesale, retries then add a fifth more load instead of multiplying it.

export interface RetryBudgetOptions {
  /** Retries in flight as a percentage of active requests. */
  percent?: number;
  /** Retries in flight always allowed, however few requests are active. */
  minConcurrency?: number;
}

export class RetryBudget {
  readonly #percent: number;
  readonly #minConcurrency: number;
  #active = 0;
  #retries = 0;

  constructor({ percent = 20, minConcurrency = 3 }: RetryBudgetOptions = {}) {
    if (!(percent >= 0) || !(minConcurrency >= 0)) {
      throw new RangeError(
        `Cannot create a retry budget: percent and minConcurrency must be >= 0, got ${percent} and ${minConcurrency}`,
      );
    }
    this.#percent = percent;
    this.#minConcurrency = minConcurrency;
  }

  /** Client requests in progress. */
  get active(): number {
    return this.#active;
  }

  /** Retry attempts in progress. */
  get retries(): number {
    return this.#retries;
  }

  /** How many retries may be in flight at the current load. */
  get limit(): number {
    return Math.max(this.#minConcurrency, (this.#active * this.#percent) / 100);
  }

  /** Counts a client request as active until the returned function is called (once is enough;
   * later calls do nothing). */
  startRequest(): () => void {
    this.#active++;
    return once(() => this.#active--);
  }

  /** Takes a retry slot when the budget has one: returns the function that frees it when that
   * attempt ends, or undefined when the retry must not happen. */
  tryRetry(): (() => void) | undefined {
    if (this.#retries + 1 > this.limit) return undefined;
    this.#retries++;
    return once(() => this.#retries--);
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
