// The HTTP/1.1 client over real loopback sockets (Deno's adapter), against scripted raw servers.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { denoDial } from "../runtime/deno_socket.ts";
import { webStreamBody } from "../runtime/web_body_stream.ts";
import { createHttp1Client, type Http1ClientOptions, Http1Error } from "./client.ts";
import type { Dial } from "../runtime/types.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A TCP server that hands each connection's requests (one head at a time) to `answer`. */
function rawServer(
  answer: (conn: Deno.TcpConn, head: string, index: number) => Promise<void> | void,
) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.TcpConn>();
  let connections = 0;
  let closedByPeer = 0;
  const heads: string[] = [];
  const served = (async () => {
    for await (const conn of listener) {
      connections++;
      conns.add(conn);
      (async () => {
        let pending = "";
        const buffer = new Uint8Array(4096);
        try {
          for (;;) {
            const n = await conn.read(buffer);
            if (n === null) {
              closedByPeer++;
              break;
            }
            pending += decoder.decode(buffer.subarray(0, n));
            let end;
            while ((end = pending.indexOf("\r\n\r\n")) !== -1) {
              const head = pending.slice(0, end);
              pending = pending.slice(end + 4);
              heads.push(head);
              await answer(conn, head, heads.length - 1);
            }
          }
        } catch {
          // closed by the test
        } finally {
          conns.delete(conn);
          try {
            conn.close();
          } catch { /* already closed */ }
        }
      })();
    }
  })().catch(() => {});
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    address: `127.0.0.1:${port}`,
    heads,
    get connections() {
      return connections;
    },
    get closedByPeer() {
      return closedByPeer;
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

function write(conn: Deno.TcpConn, text: string | Uint8Array) {
  return conn.write(typeof text === "string" ? encoder.encode(text) : text);
}

const ok = (body: string, extra = "") =>
  `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`;

function client(overrides: Partial<Http1ClientOptions> = {}) {
  return createHttp1Client({
    dial: denoDial,
    streamBody: webStreamBody,
    connectTimeoutMs: 2_000,
    keepAliveMs: 4_000,
    idleTimeoutMs: 2_000,
    ...overrides,
  });
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("http1: sends the head with Host and every header, and keeps the connection alive", async () => {
  const server = rawServer((conn) => write(conn, ok("hello")).then(() => {}));
  const c = client();
  try {
    for (let i = 0; i < 3; i++) {
      let done = 0;
      const res = await c.request(server.address, "GET", `/a?i=${i}`, {
        "x-one": "1",
        "cookie": "a=b",
      }, () => done++).response;
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("content-length"), "5", "a collected body keeps its length");
      assertEquals(await res.text(), "hello");
      assertEquals(done, 1);
    }
    assertEquals(server.connections, 1, "three requests, one connection");
    assertEquals(
      server.heads[2],
      `GET /a?i=2 HTTP/1.1\r\nhost: ${server.address}\r\nx-one: 1\r\ncookie: a=b`,
    );
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("http1: a chunked body is decoded and streamed; a HEAD response has no body", async () => {
  const server = rawServer(async (conn, head) => {
    if (head.startsWith("HEAD")) {
      return void await write(conn, "HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n");
    }
    await write(
      conn,
      "HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\nx-a: 1\r\n\r\n5\r\nhello\r\n",
    );
    await delay(30);
    await write(conn, "6\r\n world\r\n0\r\n\r\n");
  });
  const c = client();
  try {
    const res = await c.request(server.address, "GET", "/", {}).response;
    assertEquals(res.status, 201);
    assertEquals(res.statusText, "Created");
    assertEquals(res.headers.get("transfer-encoding"), null, "decoded: the framing header goes");
    assertEquals(res.headers.get("x-a"), "1");
    assertEquals(await res.text(), "hello world");
    const head = await c.request(server.address, "HEAD", "/", {}).response;
    assertEquals(head.headers.get("content-length"), "1234");
    assertEquals(head.body, null);
    assertEquals(server.connections, 1);
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("http1: a kept-alive connection the backend closed is replaced, and the request resent once", async () => {
  const server = rawServer(async (conn, _head, index) => {
    // The first connection answers once, then closes when the next request arrives.
    if (index === 1) return conn.close();
    await write(conn, ok(`r${index}`));
  });
  const c = client();
  try {
    assertEquals(await (await c.request(server.address, "GET", "/", {}).response).text(), "r0");
    assertEquals(await (await c.request(server.address, "GET", "/", {}).response).text(), "r2");
    assertEquals(server.connections, 2);
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("http1: a response cut short fails as reset, and a body cut mid-way errors the stream", async () => {
  const server = rawServer(async (conn, head) => {
    if (head.includes("/head")) await write(conn, "HTTP/1.1 200 OK\r\ncontent-le");
    else {await write(
        conn,
        "HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n" + "x".repeat(70_000),
      );}
    conn.close();
  });
  const c = client();
  try {
    const error = await assertRejects(() => c.request(server.address, "GET", "/head", {}).response);
    assert(error instanceof Http1Error);
    assertEquals(error.kind, "reset");
    let done = 0;
    const res = await c.request(server.address, "GET", "/body", {}, () => done++).response;
    await assertRejects(() => res.arrayBuffer());
    assertEquals(done, 1);
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("http1: refused, unanswered and malformed connections fail with their kinds", async () => {
  const server = rawServer(async (conn, head) => {
    if (head.includes("/garbage")) await write(conn, "SPDY/9 nonsense\r\n\r\n");
    if (head.includes("/status")) {
      await write(conn, "HTTP/1.1 700 Odd\r\ncontent-length: 0\r\n\r\n");
    }
  });
  const free = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const refused = `127.0.0.1:${(free.addr as Deno.NetAddr).port}`;
  free.close();
  const never: Dial = () => new Promise(() => {});
  const c = client();
  const hanging = client({ dial: never, connectTimeoutMs: 50 });
  try {
    const kind = async (cl: typeof c, address: string, path = "/") => {
      const error = await assertRejects(() => cl.request(address, "GET", path, {}).response);
      return (error as Http1Error).kind;
    };
    assertEquals(await kind(c, refused), "connect");
    assertEquals(await kind(hanging, "10.0.0.1:80"), "connect", "connect timeout");
    assertEquals(await kind(c, server.address, "/garbage"), "other");
    assertEquals(await kind(c, server.address, "/status"), "other");
  } finally {
    c.close();
    hanging.close();
    await server.close();
  }
});

Deno.test("http1: abort fails a waiting exchange and closes its connection", async () => {
  const server = rawServer(() => {});
  const c = client();
  try {
    const exchange = c.request(server.address, "GET", "/", {});
    await delay(30);
    exchange.abort("timeout");
    const error = await assertRejects(() => exchange.response);
    assertEquals((error as Http1Error).kind, "timeout");
    await delay(30);
    assertEquals(server.closedByPeer, 1);
    assertEquals(c.connections, 0);
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("http1: a body silent past the idle timeout is cut; a slow reader is not cut", async () => {
  const big = "y".repeat(200_000);
  const server = rawServer(async (conn, head) => {
    if (head.includes("/stall")) {
      await write(conn, "HTTP/1.1 200 OK\r\ncontent-length: 200000\r\n\r\n" + big.slice(0, 70_000));
      return; // and nothing more
    }
    await write(conn, `HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\n\r\n${big}`);
  });
  const c = client({ idleTimeoutMs: 150 });
  try {
    const started = performance.now();
    const stalled = await c.request(server.address, "GET", "/stall", {}).response;
    await assertRejects(() => stalled.arrayBuffer());
    const took = performance.now() - started;
    assert(took >= 150, `cut after ${took} ms, before the idle timeout`);

    const slow = await c.request(server.address, "GET", "/all", {}).response;
    const reader = slow.body!.getReader();
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.length;
      await delay(100); // a reader slower than the idle timeout, in total
    }
    assertEquals(received, big.length);
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("http1: an idle kept-alive connection is closed within keepAliveMs", async () => {
  const server = rawServer((conn) => write(conn, ok("k")).then(() => {}));
  const c = client({ keepAliveMs: 100 });
  try {
    await (await c.request(server.address, "GET", "/", {}).response).text();
    assertEquals(c.connections, 1);
    await delay(200);
    assertEquals(c.connections, 0);
    assertEquals(server.closedByPeer, 1);
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("http1: a body cancelled by its reader closes the connection, which is not reused", async () => {
  const server = rawServer(async (conn) => {
    await write(conn, "HTTP/1.1 200 OK\r\ncontent-length: 300000\r\n\r\n" + "z".repeat(100_000));
  });
  const c = client();
  try {
    let done = 0;
    const res = await c.request(server.address, "GET", "/", {}, () => done++).response;
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    assertEquals(done, 1);
    await delay(30);
    assertEquals(server.closedByPeer, 1);
    await c.request(server.address, "GET", "/", {}).response.then((r) => r.body?.cancel());
    assertEquals(server.connections, 2);
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("http1: a connection slower to open than keepAliveMs still carries its request", async () => {
  const server = rawServer((conn) => write(conn, ok("slow")).then(() => {}));
  const slowDial: Dial = async (target, events) => {
    await delay(150);
    return denoDial(target, events);
  };
  const c = client({ dial: slowDial, keepAliveMs: 40 });
  try {
    const res = await c.request(server.address, "GET", "/", {}).response;
    assertEquals(await res.text(), "slow");
  } finally {
    c.close();
    await server.close();
  }
});
