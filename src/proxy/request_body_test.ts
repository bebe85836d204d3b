import { assert, assertEquals } from "@std/assert";
import { attemptBody } from "./request_body.ts";

const post = (text: string) => new Request("http://x/", { method: "POST", body: text });
/** Reads a stream the way fetch does: through a reader it keeps. */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += new TextDecoder().decode(value);
  }
}

Deno.test("attemptBody() has nothing to offer for a GET or a POST without a body", () => {
  assertEquals(attemptBody(new Request("http://x/")), undefined);
  assertEquals(attemptBody(new Request("http://x/", { method: "POST" })), undefined);
});

for (const keeps of [false, true]) {
  const how = keeps ? "the client's own stream" : "a stream per attempt";
  Deno.test(`attemptBody() with ${how}: an unread attempt leaves the whole body to the next`, async () => {
    const body = attemptBody(post("hello"), keeps)!;
    const first = body.forAttempt();
    if (!keeps) await first.cancel("refused before sending");
    assertEquals(body.streamed, false);
    assertEquals(await readAll(body.forAttempt()), "hello");
    // The client's own stream, once read, is spent; a copy kept for replay is not.
    assertEquals(body.streamed, keeps);
  });
}

Deno.test("attemptBody() replays to the next attempt what a failed one took, up to its limit", async () => {
  const big = "x".repeat(100);
  const body = attemptBody(post(big), false, 1000)!;
  const first = body.forAttempt().getReader();
  await first.read(); // the first attempt took a chunk, then its connection failed (Deno does)
  assertEquals(body.streamed, false);
  assertEquals(await readAll(body.forAttempt()), big);

  const small = attemptBody(post(big), false, 10)!;
  await small.forAttempt().getReader().read();
  assert(small.streamed, "past the replay limit the body cannot be sent again");
});
