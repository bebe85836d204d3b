// One sampled series (the whole proxy, or a backend): its counters' recent samples for the
// window figures, and its rps and p99 sparklines for the history. All fixed size.
import { CountWindow } from "./count_window.ts";
import { bucketQuantile } from "./quantile.ts";
import { Ring } from "./ring.ts";

/** Column 0 of a sample is its time (ms), then these counters, then the latency buckets. */
export const AT = 0, REQUESTS = 1, SERVER_ERRORS = 2, CONNECT_ERRORS = 3, BUCKETS = 4;

export interface WindowFigures {
  rps: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export class SeriesTracker {
  readonly window: CountWindow;
  readonly rps: Ring;
  readonly p99Ms: Ring;
  readonly #bounds: readonly number[];
  readonly #windowSteps: number;
  readonly #scratch: Float64Array;
  /** The latest sample's counts, as pushed (read by the views). */
  readonly latest: Float64Array;

  /** @param bounds the latency histogram's bucket bounds, in seconds */
  constructor(bounds: readonly number[], { historyPoints, windowSteps }: {
    historyPoints: number;
    windowSteps: number;
  }) {
    this.#bounds = bounds;
    this.#windowSteps = windowSteps;
    const width = BUCKETS + bounds.length + 1;
    this.window = new CountWindow(width, windowSteps + 1);
    this.rps = new Ring(historyPoints);
    this.p99Ms = new Ring(historyPoints);
    this.#scratch = new Float64Array(width);
    this.latest = new Float64Array(width);
  }

  get width(): number {
    return this.latest.length;
  }

  /** Records a sample (time and counters, laid out as above) and its sparkline points. */
  push(sample: Float64Array): void {
    this.latest.set(sample);
    this.window.push(sample);
    if (this.window.span === 0) return; // a first sample has nothing to subtract from
    const d = this.window.delta(1, this.#scratch);
    this.rps.push(perSecond(d[REQUESTS]!, d[AT]!));
    this.p99Ms.push(this.#quantileMs(0.99, d));
  }

  /** The newest minus the previous sample (what happened in the last interval). */
  lastDelta(out: Float64Array): Float64Array {
    return this.window.delta(1, out);
  }

  /** Rate and latency over the window (as far back as it reaches). */
  figures(): WindowFigures {
    const d = this.window.delta(this.#windowSteps, this.#scratch);
    const p50 = this.#quantileMs(0.5, d);
    const p99 = this.#quantileMs(0.99, d);
    return {
      rps: round(perSecond(d[REQUESTS]!, d[AT]!), 2),
      p50Ms: Number.isNaN(p50) ? null : round(p50, 3),
      p99Ms: Number.isNaN(p99) ? null : round(p99, 3),
    };
  }

  #quantileMs(q: number, delta: Float64Array): number {
    return bucketQuantile(q, this.#bounds, delta.subarray(BUCKETS)) * 1000;
  }
}

function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
