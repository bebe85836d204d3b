// A pushed body as a standard ReadableStream (Deno's; also what any WHATWG runtime can run).
// The writer's write() returns a promise once the reader is a chunk behind, so a producer that
// respects it never queues more than one chunk.
import type { BodyWriter, StreamBody } from "./types.ts";

export const webStreamBody: StreamBody = (start, cancel) => {
  let wake: (() => void) | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const writer: BodyWriter = {
        write(chunk) {
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 1) > 0) return;
          return new Promise<void>((resolve) => wake = resolve);
        },
        end: () => controller.close(),
        fail: (error) => controller.error(error),
      };
      start(writer);
    },
    pull() {
      const resume = wake;
      wake = undefined;
      resume?.();
    },
    cancel,
  }, { highWaterMark: 1 });
};
