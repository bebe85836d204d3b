// The dashboard's recent events (backends added, removed, ejected and restored, watch restarts,
// draining): a fixed ring, so an old event falls out when a new one comes in.

export type DashboardEventKind =
  | "added"
  | "removed"
  | "ejected"
  | "restored"
  | "watch error"
  | "watch restarted"
  | "draining";

export interface DashboardEvent {
  /** Increases by one per event for the life of the process; viewers ask for what is newer. */
  readonly seq: number;
  /** Wall clock, ms. */
  readonly at: number;
  readonly kind: DashboardEventKind;
  /** Worth a second look (an ejection, a watch error), as opposed to routine churn. */
  readonly warning: boolean;
  readonly backend?: string;
  /** One line in words, e.g. "ejected until 14:02:11 (2nd time)". */
  readonly text: string;
}

export interface EventLogOptions {
  capacity?: number;
  now?: () => number;
}

export class EventLog {
  readonly capacity: number;
  readonly #now: () => number;
  readonly #events: Array<DashboardEvent | undefined>;
  #seq = 0;

  constructor({ capacity = 50, now = Date.now }: EventLogOptions = {}) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot keep ${capacity} events: expected an integer >= 1`);
    }
    this.capacity = capacity;
    this.#now = now;
    this.#events = new Array(capacity);
  }

  add(
    kind: DashboardEventKind,
    text: string,
    { backend, warning = false, at = this.#now() }: {
      backend?: string;
      warning?: boolean;
      at?: number;
    } = {},
  ): DashboardEvent {
    const event: DashboardEvent = {
      seq: ++this.#seq,
      at,
      kind,
      warning,
      ...(backend !== undefined ? { backend } : {}),
      text,
    };
    this.#events[event.seq % this.capacity] = event;
    return event;
  }

  /** The sequence number of the newest event (0 before the first). */
  get seq(): number {
    return this.#seq;
  }

  /** The events kept that are newer than `seq`, oldest first. */
  since(seq = 0): DashboardEvent[] {
    const out: DashboardEvent[] = [];
    const from = Math.max(seq + 1, this.#seq - this.capacity + 1, 1);
    for (let s = from; s <= this.#seq; s++) out.push(this.#events[s % this.capacity]!);
    return out;
  }
}
