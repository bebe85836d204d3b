// The HTTP/1.1 client sending request bodies, over real loopback sockets (Deno's adapter), to a
// raw backend that frames each request itself and records the exact bytes it read.
import { assert, assertEquals } from "@std/assert";
import { denoDial } from "../runtime/deno_socket.ts";
import { webStreamBody } from "../runtime/web_body_stream.ts";
import { createHttp1Client, Http1Error } from "./client.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Received {
  head: string;
  body: string;
  /** The connection's index, in accept order. */
  conn: number;
}

/**
 * A backend that reads each request (a Content-Length or chunked body, decoded) and answers it
 * with `answer`, or, with `early`, answers as soon as the head is in and closes nothing.
 */
function bodyServer(options: { early?: boolean; answer?: (r: Received) => string } = {}) {
  const { early = false, answer = (r) => ok(`got ${r.body.length}`) } = options;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const received: Received[] = [];
  const raw: string[] = [];
  const conns = new Set<Deno.TcpConn>();
  let accepted = 0;
  const served = (async () => {
    for await (const conn of listener) {
      const index = accepted++;
      conns.add(conn);
      raw[index] = "";
      (async () => {
        let pending = "";
        const buffer = new Uint8Array(65_536);
        const more = async () => {
          const n = await conn.read(buffer);
          if (n === null) throw new Error("closed");
          const text = decoder.decode(buffer.subarray(0, n));
          raw[index] += text;
          pending += text;
        };
        try {
          for (;;) {
            while (!pending.includes("\r\n\r\n")) await more();
            const end = pending.indexOf("\r\n\r\n");
            const head = pending.slice(0, end);
            pending = pending.slice(end + 4);
            if (early) await conn.write(encoder.encode(answer({ head, body: "", conn: index })));
            const length = /content-length: (\d+)/i.exec(head);
            let body = "";
            if (/transfer-encoding: chunked/i.test(head)) {
              for (;;) {
                while (!pending.includes("\r\n")) await more();
                const size = parseInt(pending.slice(0, pending.indexOf("\r\n")), 16);
                pending = pending.slice(pending.indexOf("\r\n") + 2);
                while (pending.length < size + 2) await more();
                body += pending.slice(0, size);
                pending = pending.slice(size + 2);
                if (size === 0) break;
              }
            } else if (length) {
              const size = Number(length[1]);
              while (pending.length < size) await more();
              body = pending.slice(0, size);
              pending = pending.slice(size);
            }
            const r = { head, body, conn: index };
            received.push(r);
            if (!early) await conn.write(encoder.encode(answer(r)));
          }
        } catch {
          // closed
        } finally {
          conns.delete(conn);
          try {
            conn.close();
          } catch { /* already closed */ }
        }
      })();
    }
  })().catch(() => {});
  return {
    address: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    received,
    raw,
    get connections() {
      return accepted;
    },
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
      await served;
    },
  };
}

const ok = (body: string) => `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`;

function client() {
  return createHttp1Client({
    dial: denoDial,
    streamBody: webStreamBody,
    connectTimeoutMs: 2_000,
    keepAliveMs: 4_000,
    idleTimeoutMs: 2_000,
  });
}

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]!));
      else controller.close();
    },
  });
}

Deno.test("http1: a Content-Length body goes out as is, and the connection carries the next request", async () => {
  const server = bodyServer();
  const c = client();
  try {
    const body = "x".repeat(300_000);
    const res = await c.request(
      server.address,
      "POST",
      "/up",
      { "content-length": "1" },
      undefined,
      undefined,
      {
        stream: streamOf([body.slice(0, 100_000), body.slice(100_000)]),
        length: body.length,
      },
    ).response;
    assertEquals(await res.text(), "got 300000");
    const again = await c.request(server.address, "GET", "/next", {}).response;
    assertEquals(await again.text(), "got 0");
    assertEquals(server.connections, 1, "the body was sent whole: the connection was reused");
    const [post, get] = server.received;
    assert(post!.head.includes("content-length: 300000"), "the verdict's length, not the header's");
    assert(!post!.head.includes("content-length: 1\r\n"));
    assertEquals(post!.body, body);
    assert(get!.head.startsWith("GET /next HTTP/1.1"));
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("http1: a chunked body goes out chunked", async () => {
  const server = bodyServer();
  const c = client();
  try {
    const res = await c.request(server.address, "PUT", "/c", {}, undefined, undefined, {
      stream: streamOf(["hello", " world"]),
      length: "chunked",
    }).response;
    assertEquals(await res.text(), "got 11");
    assert(server.received[0]!.head.includes("transfer-encoding: chunked"));
    assert(!server.received[0]!.head.includes("content-length"));
    assert(server.raw[0]!.endsWith("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("http1: a response that comes before the body is all sent closes the connection", async () => {
  const server = bodyServer({ early: true, answer: () => ok("early") });
  const c = client();
  try {
    let more!: (chunk: string | null) => void;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const chunk = await new Promise<string | null>((resolve) => more = resolve);
        if (chunk === null) controller.close();
        else controller.enqueue(encoder.encode(chunk));
      },
    }, { highWaterMark: 0 });
    const res = await c.request(server.address, "POST", "/", {}, undefined, undefined, {
      stream,
      length: 10,
    }).response;
    assertEquals(await res.text(), "early");
    more("abc"); // the rest never comes
    const next = await c.request(server.address, "GET", "/", {}).response;
    assertEquals(await next.text(), "early");
    assertEquals(server.connections, 2, "never reused with a body half sent");
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("http1: a refused connection leaves the body unread, and a body that ends short fails", async () => {
  const c = client();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const stream = streamOf(["abc"]);
  const error = await c.request(`127.0.0.1:${closedPort}`, "POST", "/", {}, undefined, undefined, {
    stream,
    length: 3,
  }).response.catch((e) => e);
  assert(error instanceof Http1Error);
  assertEquals(error.kind, "connect");
  assertEquals(stream.locked, false, "the next backend can have it whole");

  const server = bodyServer();
  try {
    const short = await c.request(server.address, "POST", "/", {}, undefined, undefined, {
      stream: streamOf(["abc"]),
      length: 10,
    }).response.catch((e) => e);
    assert(short instanceof Http1Error);
    assertEquals(short.kind, "aborted");
    const next = await c.request(server.address, "GET", "/", {}).response;
    assertEquals(await next.text(), "got 0");
    assertEquals(server.connections, 2, "the connection with the short body was closed");
    assertEquals(server.received.length, 1, "the backend never saw the short request whole");
  } finally {
    c.close();
    await server.close();
  }
});
