// sendBody() against a scripted target: the bytes and framing it writes, and that it reads the
// client's stream no faster than the socket takes it.
import { assert, assertEquals } from "@std/assert";
import { type BodyTarget, sendBody } from "./body_sender.ts";
import { Http1Error } from "./types.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A stream of `chunks` that counts its pulls. */
function source(chunks: string[], end: "close" | "error" = "close") {
  const state = { pulls: 0 };
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulls++;
      if (i < chunks.length) return controller.enqueue(encoder.encode(chunks[i++]!));
      if (end === "error") controller.error(new Error("client went away"));
      else controller.close();
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

/** A target whose write() reports a full socket for the writes listed in `full`. */
function target(full: Set<number> = new Set()) {
  const written: string[] = [];
  let drain: (() => void) | undefined;
  let sentAt = -1;
  const t: BodyTarget & { written: string[]; drain(): void; readonly sentAt: number } = {
    written,
    write(data) {
      written.push(typeof data === "string" ? data : decoder.decode(data));
      return !full.has(written.length - 1);
    },
    drained: () => new Promise<void>((resolve) => drain = resolve),
    stopped: false,
    waiting() {},
    sent() {
      sentAt = written.length;
    },
    drain() {
      drain?.();
    },
    get sentAt() {
      return sentAt;
    },
  };
  return t;
}

Deno.test("sendBody() writes exactly Content-Length bytes, and marks the body sent before the last", async () => {
  const { stream } = source(["hel", "lo", " world"]);
  const t = target();
  await sendBody({ stream, length: 8 }, t);
  assertEquals(t.written.join(""), "hello wo", "never a byte past the length");
  assertEquals(t.sentAt, 2, "sent() comes just before the last write");
});

Deno.test("sendBody() frames a chunked body and ends it with the last chunk", async () => {
  const { stream } = source(["hello", "", "x".repeat(20)]);
  const t = target();
  await sendBody({ stream, length: "chunked" }, t);
  assertEquals(t.written.join(""), `5\r\nhello\r\n14\r\n${"x".repeat(20)}\r\n0\r\n\r\n`);
});

Deno.test("sendBody() reads the next chunk only once the socket has drained", async () => {
  const { stream, state } = source(["aa", "bb", "cc"]);
  const t = target(new Set([0]));
  const sending = sendBody({ stream, length: 6 }, t);
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(state.pulls, 1, "the socket is full: no second read");
  assertEquals(t.written, ["aa"]);
  t.drain();
  await sending;
  assertEquals(t.written.join(""), "aabbcc");
});

Deno.test("sendBody() fails as aborted when the body ends short or its stream fails", async () => {
  const short = source(["abc"]);
  const error = await sendBody({ stream: short.stream, length: 10 }, target()).catch((e) => e);
  assert(error instanceof Http1Error);
  assertEquals(error.kind, "aborted");
  assert(error.message.includes("7 bytes short"), error.message);
  const failing = source(["abc"], "error");
  const failed = await sendBody({ stream: failing.stream, length: "chunked" }, target())
    .catch((e) => e);
  assert(failed instanceof Http1Error);
  assertEquals(failed.kind, "aborted");
});

Deno.test("sendBody() stops quietly once its target has stopped", async () => {
  const { stream, state } = source(["aa", "bb"]);
  const t = target(new Set([0]));
  const sending = sendBody({ stream, length: 4 }, t);
  await new Promise((r) => setTimeout(r, 10));
  (t as { stopped: boolean }).stopped = true;
  t.drain();
  await sending;
  assertEquals(t.written, ["aa"]);
  assert(state.pulls === 1);
});
