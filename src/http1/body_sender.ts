// A request body written after its head, framed as the request's framing verdict said: exactly
// Content-Length bytes, or chunked. The next chunk of the client's stream is read only once the
// socket has taken the last one, so what a connection holds of a body is one chunk of the
// server's body stream at most (plus the kernel's socket buffer), however long the body is.
import { Http1Error, type RequestBody } from "./types.ts";

/** Where a body goes: the connection carrying its exchange. */
export interface BodyTarget {
  /** False when the bytes were queued: wait for drained() before writing more. */
  write(data: string | Uint8Array): boolean;
  /** Resolves once everything written has left (or the connection closed). */
  drained(): Promise<void>;
  /** The exchange or its connection ended: nothing more may be written. */
  readonly stopped: boolean;
  /** True while the sender waits for the client's next bytes (see Connection.awaitingClient). */
  waiting(on: boolean): void;
  /** Called just before the last byte of the body is written. */
  sent(): void;
}

/**
 * Sends `body` to `target`; resolves when every byte has been handed over or the target stopped,
 * rejects with Http1Error `aborted` when the client's stream fails or ends short of its
 * Content-Length. The stream is left locked: a body that was read from cannot go to another
 * backend.
 */
export async function sendBody(body: RequestBody, target: BodyTarget): Promise<void> {
  const reader = body.stream.getReader();
  const chunked = body.length === "chunked";
  let left = chunked ? 0 : body.length as number;
  for (;;) {
    let result: ReadableStreamReadResult<Uint8Array>;
    target.waiting(true);
    try {
      result = await reader.read();
    } catch (error) {
      if (target.stopped) return;
      throw new Http1Error("aborted", "Cannot read the request body: its stream failed", {
        cause: error,
      });
    } finally {
      target.waiting(false);
    }
    if (target.stopped) return;
    const { done, value } = result;
    if (done) {
      if (!chunked) {
        throw new Http1Error(
          "aborted",
          `Cannot send the request body: it ended ${left} bytes short of its Content-Length`,
        );
      }
      target.sent();
      target.write("0\r\n\r\n");
      return;
    }
    if (value.length === 0) continue;
    let ok: boolean;
    if (chunked) {
      // Three writes, no copy: the sockets queue in order.
      ok = target.write(value.length.toString(16) + "\r\n");
      ok = target.write(value) && ok;
      ok = target.write("\r\n") && ok;
    } else {
      // The server framed the stream by the same Content-Length; never send a byte past it.
      const chunk = value.length > left ? value.subarray(0, left) : value;
      left -= chunk.length;
      if (left === 0) {
        target.sent();
        target.write(chunk);
        return;
      }
      ok = target.write(chunk);
    }
    if (!ok) {
      await target.drained();
      if (target.stopped) return;
    }
  }
}
