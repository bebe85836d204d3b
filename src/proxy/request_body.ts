// A request body that can be offered to another backend after a failed attempt, and `streamed`
// says when it can no longer be sent again in full. Where fetch leaves an unsent body alone (Bun),
// the client's stream itself goes to each attempt, so the runtime pipes it natively, and any
// attempt that reached a backend spends it. Elsewhere (Deno, whose fetch pulls a chunk before it
// finds a connection refused) each attempt gets a stream that replays what earlier ones took.

export interface AttemptBody {
  /** A stream for one attempt; pulling from it consumes the client's body. */
  forAttempt(): ReadableStream<Uint8Array>;
  /** True once a retry could not send the whole body again. */
  readonly streamed: boolean;
}

/** `stream`: the client's body as read (req.body, or a watched wrapper of it). */
export function attemptBody(
  req: Request,
  fetchKeepsUnsentBody = false,
  replayBytes = 131_072,
  stream: ReadableStream<Uint8Array> | null = req.body,
): AttemptBody | undefined {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  if (stream === null) return undefined;
  if (fetchKeepsUnsentBody) {
    return {
      forAttempt: () => stream,
      get streamed() {
        return stream.locked || req.bodyUsed;
      },
    };
  }
  return replayableBody(stream.getReader(), replayBytes);
}

/**
 * Each attempt gets a fresh stream that first replays what earlier attempts took from the client
 * (fetch may pull a chunk before it finds the connection refused), then reads on. Up to
 * `limit` bytes are kept for that; past it, the body counts as streamed and is not retried.
 */
function replayableBody(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
): AttemptBody {
  const taken: Uint8Array[] = [];
  let takenBytes = 0;
  let overflowed = false;
  let ended = false;
  return {
    forAttempt() {
      let next = 0;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (next < taken.length) return controller.enqueue(taken[next++]!);
          if (ended) return controller.close();
          const { done, value } = await reader.read();
          if (done) {
            ended = true;
            return controller.close();
          }
          if (!overflowed) {
            takenBytes += value.byteLength;
            if (takenBytes > limit) {
              overflowed = true;
              taken.length = 0;
            } else taken.push(value);
          }
          next = overflowed ? 0 : taken.length;
          controller.enqueue(value);
        },
        // A failed attempt must not cancel the client's body: the next attempt needs it. The
        // runtime discards an unread body when the request ends.
      }, { highWaterMark: 0 });
    },
    get streamed() {
      return overflowed;
    },
  };
}
