// A response body watched chunk by chunk: cut when the upstream goes silent, reported when done.

/**
 * Passes a body through, cutting it when the upstream stays silent for `idleMs` (0: never), and
 * reporting once when it ends in any way.
 */
export function tracked(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  onIdle: () => void,
  onDone: (() => void) | undefined,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    onDone?.();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (idleMs > 0) timer = setTimeout(onIdle, idleMs);
      try {
        const { done, value } = await reader.read();
        if (done) {
          finish();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        finish();
        controller.error(error);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      finish();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
