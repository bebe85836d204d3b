// A client's request body watched for stalls: a client that leaves podgate waiting longer than
// the limit for its next bytes has its body cut, which aborts the upstream request (fetch fails
// when its body stream does), and the handler answers 408 if no response has started.

/** The client stopped sending its request body for longer than the limit. */
export class RequestBodyTimeoutError extends Error {
  constructor(idleMs: number) {
    super(`Cannot read the request body: the client sent nothing for ${idleMs} ms`);
    this.name = "RequestBodyTimeoutError";
  }
}

export interface TimedBody {
  readonly stream: ReadableStream<Uint8Array>;
  /** Resolves when the body timed out (it never rejects). */
  readonly timedOut: Promise<void>;
  /** True once it has. */
  readonly expired: boolean;
}

export interface TimedBodyOptions {
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (id: unknown) => void;
}

/**
 * Passes `body` through; a read that waits longer than `idleMs` for the client ends the stream
 * with RequestBodyTimeoutError and cancels the client's body. The timer runs only while a reader
 * waits for the client, so a backend that reads slowly never counts against the client.
 */
export function timedBody(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  options: TimedBodyOptions = {},
): TimedBody {
  const {
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (id) => clearTimeout(id as number),
  } = options;
  const reader = body.getReader();
  const expired = Promise.withResolvers<void>();
  let done = false;
  let expiredNow = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      const timer = setTimer(() => {
        if (done) return;
        done = true;
        expiredNow = true;
        const error = new RequestBodyTimeoutError(idleMs);
        controller.error(error);
        reader.cancel(error).catch(() => {});
        expired.resolve();
      }, idleMs);
      try {
        const { done: end, value } = await reader.read();
        if (done) return;
        if (end) {
          done = true;
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        if (done) return;
        done = true;
        controller.error(error);
      } finally {
        clearTimer(timer);
      }
    },
    cancel(reason) {
      done = true;
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return {
    stream,
    timedOut: expired.promise,
    get expired() {
      return expiredNow;
    },
  };
}
