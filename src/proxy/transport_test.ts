// Which client carries a request: the own HTTP/1.1 client, except for paths whose responses
// were too long to collect, which fetch pipes natively. Real loopback sockets on both sides.
import { assertEquals } from "@std/assert";
import { Upstream } from "../balancer/upstream.ts";
import { createHttp1Client } from "../http1/client.ts";
import { denoDial } from "../runtime/deno_socket.ts";
import { webStreamBody } from "../runtime/web_body_stream.ts";
import { createTransport } from "./transport.ts";

Deno.test("transport: a path whose response was streamed goes through fetch until it is short again", async () => {
  let bigBytes = 200_000;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    return new Response(path === "/big" ? "b".repeat(bigBytes) : "small");
  });
  const http1 = createHttp1Client({
    dial: denoDial,
    streamBody: webStreamBody,
    connectTimeoutMs: 1_000,
    keepAliveMs: 1_000,
    idleTimeoutMs: 1_000,
  });
  const viaFetch: string[] = [];
  const transport = createTransport({
    headersTimeoutMs: 1_000,
    idleTimeoutMs: 1_000,
    preserveHost: false,
    fetchInit: {},
    acceptEncoding: () => null,
    http1,
    fetch: (input, init) => {
      viaFetch.push(new URL(String(input)).pathname + new URL(String(input)).search);
      return fetch(input, init);
    },
  });
  const upstream = new Upstream(`127.0.0.1:${server.addr.port}`);
  const get = async (path: string) => {
    const req = new Request(`http://proxy${path}`);
    const res = await transport.forward(req, upstream, {
      path,
      headers: transport.prepare(req, "10.0.0.1", "id-1"),
      requestId: "id-1",
      body: null,
    });
    return (await res.text()).length;
  };
  try {
    assertEquals(await get("/big"), 200_000);
    assertEquals(viaFetch, [], "first time: the own client");
    assertEquals(await get("/big?page=2"), 200_000);
    assertEquals(await get("/small"), 5);
    assertEquals(viaFetch, ["/big?page=2"], "the path is remembered whatever the query");
    bigBytes = 10;
    assertEquals(await get("/big"), 10);
    assertEquals(await get("/big"), 10);
    assertEquals(viaFetch, ["/big?page=2", "/big"], "short again: back to the own client");
  } finally {
    http1.close();
    await server.shutdown();
  }
});
