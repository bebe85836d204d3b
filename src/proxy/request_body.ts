// A request body that can be offered to a second backend as long as the first never read from it:
// each attempt gets a fresh stream over the one reader of the client's body, and `streamed` tells
// whether any attempt pulled bytes (after which a retry would send a truncated body).

export interface AttemptBody {
  /** A stream for one attempt; pulling from it consumes the client's body. */
  forAttempt(): ReadableStream<Uint8Array>;
  /** True once any attempt has pulled from the client's body. */
  readonly streamed: boolean;
}

export function attemptBody(req: Request): AttemptBody | undefined {
  if (req.body === null || req.method === "GET" || req.method === "HEAD") return undefined;
  const reader = req.body.getReader();
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
