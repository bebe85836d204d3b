// A client-side limit of N requests per second per key (the CLB API allows 20 per action). A
// call's slot is held from its start until one window after it *ended*: the server saw it at
// some moment in between, so no N+1 calls can ever reach it within one window, however the
// network delays them.
import { delay } from "../timing.ts";

export interface RateLimiterOptions {
  perSecond?: number;
  windowMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Slot {
  /** When the call ended; Infinity while it runs. */
  end: number;
}

export class RateLimiter {
  readonly #perSecond: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #slots = new Map<string, Slot[]>();
  readonly #waiters = new Map<string, Array<() => void>>();

  constructor(
    { perSecond = 20, windowMs = 1000, now = Date.now, sleep = delay }: RateLimiterOptions = {},
  ) {
    if (!(perSecond >= 1)) throw new RangeError(`Cannot limit to ${perSecond} requests per second`);
    this.#perSecond = Math.floor(perSecond);
    this.#windowMs = windowMs;
    this.#now = now;
    this.#sleep = sleep;
  }

  /** Resolves when a call under `key` may start, with the function to call when it ended. */
  async acquire(key: string): Promise<() => void> {
    for (;;) {
      const now = this.#now();
      const slots = (this.#slots.get(key) ?? []).filter((s) => s.end > now - this.#windowMs);
      this.#slots.set(key, slots);
      if (slots.length < this.#perSecond) {
        const slot: Slot = { end: Infinity };
        slots.push(slot);
        return () => {
          slot.end = this.#now();
          for (const wake of this.#waiters.get(key)?.splice(0) ?? []) wake();
        };
      }
      const earliest = Math.min(...slots.map((s) => s.end));
      if (earliest === Infinity) {
        // Every slot is held by a running call: wait for one to end.
        await new Promise<void>((resolve) => {
          const list = this.#waiters.get(key) ?? [];
          list.push(resolve);
          this.#waiters.set(key, list);
        });
      } else {
        await this.#sleep(earliest + this.#windowMs - now);
      }
    }
  }
}
