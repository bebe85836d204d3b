import { assertEquals } from "../../tests/support/assert.ts";
import { fixtureText } from "../../tests/support/kube_fixtures.ts";
import { ndjsonLines } from "./ndjson_lines.ts";

function streamOf(chunks: Uint8Array[], onCancel?: () => void): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
    cancel: onCancel,
  });
}

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string[][]> {
  const batches: string[][] = [];
  for await (const lines of ndjsonLines(stream)) batches.push(lines);
  return batches;
}

Deno.test("ndjsonLines() yields the recorded watch's events whatever the chunk size", async () => {
  const text = fixtureText("watch-endpointslices.jsonl");
  const expected = text.split("\n").filter((line) => line !== "");
  const bytes = new TextEncoder().encode(text);
  for (const size of [1, 2, 3, 7, 100, 4096, bytes.length]) {
    const lines = (await collect(streamOf(chunked(bytes, size)))).flat();
    assertEquals(lines, expected, `chunk size ${size}`);
  }
});

Deno.test("ndjsonLines() yields several lines of one chunk together", async () => {
  const bytes = new TextEncoder().encode('{"a":1}\n{"b":2}\n{"c"');
  const tail = new TextEncoder().encode(":3}\n");
  assertEquals(await collect(streamOf([bytes, tail])), [['{"a":1}', '{"b":2}'], ['{"c":3}']]);
});

Deno.test("ndjsonLines() keeps a character split between chunks whole", async () => {
  const bytes = new TextEncoder().encode('{"pod":"café"}\n');
  const cut = bytes.indexOf(0xc3) + 1; // inside é
  const lines = (await collect(streamOf([bytes.subarray(0, cut), bytes.subarray(cut)]))).flat();
  assertEquals(lines, ['{"pod":"café"}']);
});

Deno.test("ndjsonLines() yields a last line that has no newline", async () => {
  const lines = (await collect(streamOf([new TextEncoder().encode('{"a":1}\n\n{"b":2}')])))
    .flat();
  assertEquals(lines, ['{"a":1}', '{"b":2}']);
});

Deno.test("ndjsonLines() cancels the body when the reader stops early", async () => {
  let cancelled = false;
  const body = streamOf(
    [new TextEncoder().encode('{"a":1}\n'), new TextEncoder().encode('{"b":2}\n')],
    () => void (cancelled = true),
  );
  for await (const _ of ndjsonLines(body)) break;
  assertEquals(cancelled, true);
});

Deno.test("ndjsonLines() ends when its signal aborts, dropping a cut-off line", async () => {
  const controller = new AbortController();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('{"a":1}\n{"b"'));
    },
  });
  const batches: string[][] = [];
  for await (const lines of ndjsonLines(body, { signal: controller.signal })) {
    batches.push(lines);
    controller.abort();
  }
  assertEquals(batches, [['{"a":1}']]);
});
