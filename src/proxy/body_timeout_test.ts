import { assert, assertEquals, assertRejects } from "@std/assert";
import { RequestBodyTimeoutError, timedBody } from "./body_timeout.ts";

/** A clock whose timers fire only when the test says so. */
function manualTimers() {
  const timers = new Map<number, () => void>();
  let next = 0;
  return {
    setTimer: (fn: () => void) => (timers.set(++next, fn), next),
    clearTimer: (id: unknown) => void timers.delete(id as number),
    fireAll: () => [...timers.values()].forEach((fn) => fn()),
    get pending() {
      return timers.size;
    },
  };
}

Deno.test("timedBody() passes a body that keeps coming through untouched", async () => {
  const clock = manualTimers();
  const { stream } = timedBody(new Blob(["abc", "def"]).stream(), 1000, clock);
  assertEquals(await new Response(stream).text(), "abcdef");
  assertEquals(clock.pending, 0, "no timer left behind");
});

Deno.test("timedBody() ends a stalled body with RequestBodyTimeoutError and cancels the client's", async () => {
  const clock = manualTimers();
  let cancelled: unknown;
  const client = new ReadableStream<Uint8Array>({
    start: (c) => c.enqueue(new Uint8Array(10)),
    cancel: (reason) => void (cancelled = reason),
  });
  const timed = timedBody(client, 60_000, clock);
  const { stream, timedOut } = timed;
  const reader = stream.getReader();
  assertEquals((await reader.read()).value?.length, 10);
  const stalled = reader.read();
  await new Promise((r) => setTimeout(r, 0));
  assertEquals(clock.pending, 1, "the timer runs while the reader waits for the client");
  clock.fireAll();
  await assertRejects(() => stalled, RequestBodyTimeoutError);
  await timedOut;
  assert(timed.expired);
  assert(cancelled instanceof RequestBodyTimeoutError);
});

Deno.test("timedBody() runs no timer while nobody reads", async () => {
  const clock = manualTimers();
  timedBody(new ReadableStream(), 1000, clock);
  await new Promise((r) => setTimeout(r, 0));
  assertEquals(clock.pending, 0);
});
