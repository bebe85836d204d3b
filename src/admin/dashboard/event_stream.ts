// The Server-Sent Events side of /events: each viewer is a stream that gets a snapshot when it
// connects and then every sample. A message is encoded once for all viewers, and a viewer that
// stops reading is dropped once a few messages pile up, so memory stays bounded either way.

const encoder = new TextEncoder();

/** One SSE message as bytes: `event:` name, `data:` JSON (one line: JSON has no raw newline). */
export function sseMessage(event: string, data: unknown, id?: number): Uint8Array {
  const idLine = id === undefined ? "" : `id: ${id}\n`;
  return encoder.encode(`event: ${event}\n${idLine}data: ${JSON.stringify(data)}\n\n`);
}

export interface EventStreamOptions {
  /** What a browser waits before reconnecting after the stream ends (the SSE `retry:` field). */
  retryMs?: number;
  /** Messages a viewer may fall behind by before it is dropped (it reconnects and resyncs). */
  maxQueued?: number;
}

export class EventStream {
  readonly #viewers = new Set<ReadableStreamDefaultController<Uint8Array>>();
  readonly #retry: Uint8Array;
  readonly #maxQueued: number;
  #closed = false;

  constructor({ retryMs = 1000, maxQueued = 30 }: EventStreamOptions = {}) {
    this.#retry = encoder.encode(`retry: ${retryMs}\n\n`);
    this.#maxQueued = maxQueued;
  }

  /** Viewers connected now; the sampler builds no message while this is 0. */
  get size(): number {
    return this.#viewers.size;
  }

  /**
   * The response for one viewer: the `first` message now, then whatever is broadcast. Once
   * closed it answers a stream that ends at once, so browsers retry instead of giving up.
   */
  connect(first: () => Uint8Array, signal?: AbortSignal): Response {
    let self: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        controller.enqueue(this.#retry);
        if (this.#closed) {
          controller.close();
          return;
        }
        self = controller;
        controller.enqueue(first());
        this.#viewers.add(controller);
      },
      cancel: () => {
        if (self) this.#viewers.delete(self);
      },
    }, { highWaterMark: this.#maxQueued });
    signal?.addEventListener("abort", () => self && this.#drop(self), { once: true });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  }

  /** Sends one message to every viewer. */
  broadcast(message: Uint8Array): void {
    for (const viewer of this.#viewers) {
      // desiredSize counts down as chunks wait unread: at 0 the viewer is maxQueued behind.
      if ((viewer.desiredSize ?? 0) <= 0) {
        this.#drop(viewer);
        continue;
      }
      viewer.enqueue(message);
    }
  }

  /** Ends every stream (a draining server must not wait on them) and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const viewer of this.#viewers) this.#drop(viewer);
  }

  #drop(viewer: ReadableStreamDefaultController<Uint8Array>): void {
    this.#viewers.delete(viewer);
    try {
      viewer.close();
    } catch {
      // Already closed or errored by the reader going away.
    }
  }
}
