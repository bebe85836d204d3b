// A request body that can be offered to a second backend as long as the first never read from it,
// and `streamed` tells whether any attempt took bytes (after which a retry would send a truncated
// body). Where fetch leaves an unsent body alone (Bun), the client's stream itself goes to each
// attempt, so the runtime pipes it natively; elsewhere each attempt gets a fresh stream over the
// one reader of the client's body.

export interface AttemptBody {
  /** A stream for one attempt; pulling from it consumes the client's body. */
  forAttempt(): ReadableStream<Uint8Array>;
  /** True once any attempt has pulled from the client's body. */
  readonly streamed: boolean;
}

export function attemptBody(req: Request, fetchKeepsUnsentBody = false): AttemptBody | undefined {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  const stream = req.body;
  if (stream === null) return undefined;
  if (fetchKeepsUnsentBody) {
    return {
      forAttempt: () => stream,
      get streamed() {
        return stream.locked || req.bodyUsed;
      },
    };
  }
  const reader = stream.getReader();
  let streamed = false;
  return {
    forAttempt() {
      let pulled = false;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          pulled = streamed = true;
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        // A fetch that failed before reading must not cancel the body the next attempt needs.
        cancel: (reason) => (pulled ? reader.cancel(reason) : undefined),
      }, { highWaterMark: 0 });
    },
    get streamed() {
      return streamed;
    },
  };
}
