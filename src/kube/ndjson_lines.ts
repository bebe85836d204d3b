// Splits a watch body into its JSON lines. A line may arrive split across any number of chunks
// (even inside a multi-byte character), and one chunk may hold many lines.

/**
 * Yields, for each chunk read, the complete non-empty lines it finished (possibly none). A last
 * line without its newline is yielded when the stream ends; nothing more once `signal` aborts.
 */
export async function* ndjsonLines(
  body: ReadableStream<Uint8Array>,
  { signal }: { signal?: AbortSignal } = {},
): AsyncGenerator<string[], void, undefined> {
  const decoder = new TextDecoder();
  let pending = "";
  const reader = body.getReader();
  // Ends the stream on abort even when the body is not tied to the request's signal.
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", onAbort);
  if (signal?.aborted) onAbort();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pending += decoder.decode(value, { stream: true });
      const end = pending.lastIndexOf("\n");
      if (end < 0) continue;
      const lines = pending.slice(0, end).split("\n").filter((line) => line.trim() !== "");
      pending = pending.slice(end + 1);
      if (lines.length > 0) yield lines;
    }
    if (signal?.aborted) return; // a cut-off line is not an event
    pending += decoder.decode();
    if (pending.trim() !== "") yield [pending];
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // Cancels the body when the consumer stops early (stop(), an ERROR event).
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
