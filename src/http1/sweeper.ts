// One timer for every connection's two clocks, instead of a timer per request or per chunk:
// how long an idle pooled connection has waited (it must close before the backend closes it),
// and how long a response body has been silent (cut it once too long). Each sweep counts a
// "quiet" tick on each connection; a byte arriving resets its count to 0.

export interface Swept {
  /** Sweeps since this connection last saw a byte (reset by its owner). */
  quiet: number;
}

export interface SweeperOptions<T extends Swept> {
  /** An idle connection is closed within this long; never later (0: never). */
  idleLimitMs: number;
  /** A watched connection silent this long is cut, at most a quarter later (0: never). */
  quietLimitMs: number;
  isBusy(item: T): boolean;
  /** A busy connection whose silence counts (a body is arriving and its reader keeps up). */
  isWatched(item: T): boolean;
  onIdleLimit(item: T): void;
  onQuietLimit(item: T): void;
}

export class Sweeper<T extends Swept> {
  readonly #items = new Set<T>();
  readonly #options: SweeperOptions<T>;
  readonly #periodMs: number;
  readonly #idleTicks: number;
  readonly #quietTicks: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: SweeperOptions<T>) {
    this.#options = options;
    const limits = [options.idleLimitMs, options.quietLimitMs].filter((ms) => ms > 0);
    this.#periodMs = limits.length > 0 ? Math.max(1, Math.min(...limits) / 4) : 0;
    // Idle: counted from the last byte, a sweep may come at once, so k sweeps mean (k-1)..k
    // periods; closing at floor(limit/period) sweeps is never later than the limit.
    this.#idleTicks = this.#periodMs > 0
      ? Math.max(1, Math.floor(options.idleLimitMs / this.#periodMs))
      : 0;
    // Quiet: ceil(limit/period) + 1 sweeps is never sooner than the limit.
    this.#quietTicks = this.#periodMs > 0
      ? Math.ceil(options.quietLimitMs / this.#periodMs) + 1
      : 0;
  }

  get size(): number {
    return this.#items.size;
  }

  all(): T[] {
    return [...this.#items];
  }

  add(item: T): void {
    this.#items.add(item);
    if (this.#timer === undefined && this.#periodMs > 0) {
      this.#timer = setInterval(() => this.sweep(), this.#periodMs);
    }
  }

  delete(item: T): void {
    this.#items.delete(item);
    if (this.#items.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** One tick of both clocks (the timer calls it; tests may too). */
  sweep(): void {
    const o = this.#options;
    for (const item of this.#items) {
      if (!o.isBusy(item)) {
        if (o.idleLimitMs > 0 && ++item.quiet >= this.#idleTicks) o.onIdleLimit(item);
      } else if (o.isWatched(item)) {
        if (o.quietLimitMs > 0 && ++item.quiet >= this.#quietTicks) o.onQuietLimit(item);
      }
    }
  }
}
