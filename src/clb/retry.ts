// Retries a call with exponential backoff and jitter until it succeeds, fails for good, or the
// deadline would pass. The CLB SDK has none of this.
import { delay } from "../timing.ts";

export interface RetryOptions {
  /** First backoff; doubles per attempt up to maxMs. */
  baseMs: number;
  maxMs: number;
  /** No new attempt starts once this much time has passed since the first. */
  deadlineMs: number;
  isRetryable: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Runs `fn` (given the attempt number, 1-based) until it resolves or must give up. */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { baseMs, maxMs, deadlineMs, isRetryable, onRetry } = options;
  const { random = Math.random, now = Date.now, sleep = delay } = options;
  const start = now();
  for (let attempt = 1;; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
      // Equal jitter: never hammer at once, never move in lock-step with another client.
      const wait = Math.round(ceiling / 2 + random() * ceiling / 2);
      if (now() - start + wait > deadlineMs) throw error;
      onRetry?.(error, attempt, wait);
      await sleep(wait);
    }
  }
}
