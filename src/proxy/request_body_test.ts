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
    assert(body.streamed, "a body that was read is marked streamed, so it is not retried");
  });
}
