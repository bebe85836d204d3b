// --watch's heartbeat: one pass at start, another shortly after pod changes (debounced: a burst
// of changes during a rolling update makes one pass, not fifty), a follow-up when a pass asks for
// one (a drain comes due, a readiness gate waits for a health check), and a full resync on a
// timer. Passes never overlap; a change during a pass earns one more pass after it.
import { type Logger, silentLogger } from "../log.ts";
import type { SyncResult } from "./summary.ts";

export interface SyncLoopOptions {
  pass: (reasons: string[]) => Promise<SyncResult>;
  /** Quiet time after the last change before a pass starts. */
  debounceMs: number;
  /** Longest a burst of changes can hold a pass back. */
  maxDelayMs?: number;
  /** A pass at least this often. */
  resyncMs: number;
  logger?: Logger;
  now?: () => number;
}

export class SyncLoop {
  readonly #options: SyncLoopOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #maxDelayMs: number;
  #reasons = new Set<string>();
  #debounce: ReturnType<typeof setTimeout> | undefined;
  #resync: ReturnType<typeof setTimeout> | undefined;
  #followUp: ReturnType<typeof setTimeout> | undefined;
  #burstStart: number | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #passes = 0;
  #lastResult: SyncResult | undefined;
  #idle: Array<() => void> = [];

  constructor(options: SyncLoopOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#maxDelayMs = options.maxDelayMs ?? Math.max(options.debounceMs * 3, options.debounceMs);
  }

  get passes(): number {
    return this.#passes;
  }

  get lastResult(): SyncResult | undefined {
    return this.#lastResult;
  }

  /** Runs the first pass now and resolves with its result. */
  async start(): Promise<SyncResult> {
    this.#reasons.add("start");
    this.#kick();
    await this.#running;
    return this.#lastResult!;
  }

  /** Asks for a pass soon (debounced). */
  trigger(reason: string): void {
    if (this.#stopped) return;
    this.#reasons.add(reason);
    const now = this.#now();
    this.#burstStart ??= now;
    const wait = Math.max(
      0,
      Math.min(this.#options.debounceMs, this.#burstStart + this.#maxDelayMs - now),
    );
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => this.#kick(), wait);
  }

  /** Resolves once no pass is running or waiting to run. */
  idle(): Promise<void> {
    if (!this.#running && this.#debounce === undefined) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops the timers and waits for a running pass to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#debounce);
    clearTimeout(this.#resync);
    clearTimeout(this.#followUp);
    this.#debounce = undefined;
    await this.#running;
  }

  #kick(): void {
    clearTimeout(this.#debounce);
    this.#debounce = undefined;
    this.#burstStart = undefined;
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#pass().finally(() => {
      this.#running = undefined;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.#kick();
      } else if (this.#debounce === undefined) {
        for (const resolve of this.#idle.splice(0)) resolve();
      }
    });
  }

  async #pass(): Promise<void> {
    const reasons = [...this.#reasons];
    this.#reasons.clear();
    clearTimeout(this.#resync);
    clearTimeout(this.#followUp);
    this.#passes++;
    try {
      this.#lastResult = await this.#options.pass(reasons);
    } catch (error) {
      // A pass reports its own failures; this is a bug, logged so the loop keeps going.
      this.#logger.error("sync_pass_crashed", { error, stack: (error as Error)?.stack });
    }
    if (!this.#stopped && this.#options.resyncMs > 0) {
      this.#resync = setTimeout(() => {
        this.#reasons.add("resync");
        this.#kick();
      }, this.#options.resyncMs);
    }
    const next = this.#lastResult?.nextPassInMs;
    const resync = this.#options.resyncMs;
    if (!this.#stopped && next !== undefined && (resync === 0 || next < resync)) {
      // Never sooner than the debounce: a pass that asks for another at once cannot spin.
      this.#followUp = setTimeout(() => {
        this.#reasons.add("follow-up");
        this.#kick();
      }, Math.max(next, this.#options.debounceMs));
    }
  }
}
