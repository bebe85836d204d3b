// Which client carries a request, and the timeouts both keep. Real loopback sockets where the
// test is about the wire; an injected fetch and dial where it is about the decision.
import { assertEquals } from "@std/assert";
import { Upstream } from "../balancer/upstream.ts";
import { createHttp1Client } from "../http1/client.ts";
import type { FetchTraits } from "../runtime/fetch_traits.ts";
import { denoDial } from "../runtime/deno_socket.ts";
import type { Dial } from "../runtime/types.ts";
import { webStreamBody } from "../runtime/web_body_stream.ts";
import { UpstreamError } from "./errors.ts";
import { carrierFor, createTransport } from "./transport.ts";

const traits: FetchTraits = {
  init: {},
  bodyIdleMs: 1_000,
  acceptEncoding: () => null,
  headerRecord: (headers) => Object.fromEntries(headers),
  responseHeadersMutable: false,
  keepsUnsentBody: false,
};
const timers = { headersMs: 1_000, clientAbortCheckMs: 10, connectMs: 200 };

Deno.test("carrierFor() is the config's client for a request without a body, fetch for a body", () => {
  assertEquals(carrierFor("http1", false), "http1");
  assertEquals(carrierFor("http1", true), "fetch");
  assertEquals(carrierFor("fetch", false), "fetch");
  assertEquals(carrierFor("fetch", true), "fetch");
});

Deno.test("carrierFor() gives bodies to the own client with http1Bodies, never to it on fetch", () => {
  assertEquals(carrierFor("http1", true, true), "http1");
  assertEquals(carrierFor("fetch", true, true), "fetch");
});

Deno.test("transport: the same request takes the same client whatever earlier responses were", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "POST") return new Response(await req.text());
    return new Response(path === "/big" ? "b".repeat(200_000) : "small");
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
    timers,
    preserveHost: false,
    fetchTraits: traits,
    http1,
    fetch: (input, init) => {
      viaFetch.push(`${init?.method} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
  });
  const upstream = new Upstream(`127.0.0.1:${server.addr.port}`);
  const send = async (method: string, path: string, body: string | null = null) => {
    const req = new Request(`http://proxy${path}`, { method, body });
    const res = await transport.forward(req, upstream, {
      path,
      headers: transport.prepare(req, "10.0.0.1", "id-1"),
      requestId: "id-1",
      body: req.body,
    });
    return (await res.text()).length;
  };
  try {
    assertEquals(await send("GET", "/big"), 200_000);
    assertEquals(await send("GET", "/big"), 200_000);
    assertEquals(await send("GET", "/small"), 5);
    assertEquals(viaFetch, [], "every body-less request: the own client, long response or not");
    assertEquals(await send("POST", "/echo", "hello"), 5);
    assertEquals(viaFetch, ["POST /echo"], "a request with a body: fetch");
  } finally {
    http1.close();
    await server.shutdown();
  }
});

Deno.test("transport: on fetch, a backend that does not accept the connection in time is a connect error", async () => {
  let dials = 0;
  const hangingDial: Dial = () => {
    dials++;
    return new Promise(() => {}); // a SYN nobody answers
  };
  // A fetch stuck connecting: it ends only when its signal aborts.
  const stuckFetch =
    ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init!.signal!.addEventListener(
          "abort",
          () => reject(new DOMException("aborted", "AbortError")),
        );
      })) as typeof fetch;
  const transport = createTransport({
    timers,
    preserveHost: false,
    fetchTraits: traits,
    dial: hangingDial,
    fetch: stuckFetch,
  });
  const req = new Request("http://proxy/");
  const started = performance.now();
  const error = await transport.forward(req, new Upstream("10.0.0.9:80"), {
    path: "/",
    headers: transport.prepare(req, "", "id"),
    requestId: "id",
    body: null,
  }).then(() => undefined, (e) => e);
  const elapsed = performance.now() - started;
  assertEquals(error instanceof UpstreamError && error.kind, "connect");
  assertEquals(dials, 1);
  // The header timeout (1 s) did not decide it: the connect limit (200 ms) did.
  assertEquals(elapsed < timers.headersMs, true, `${elapsed} ms`);
});

Deno.test("transport: on fetch, a slow backend that accepted the connection waits for its headers", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    await new Promise((resolve) => setTimeout(resolve, timers.connectMs + 150));
    return new Response("late");
  });
  const transport = createTransport({
    timers,
    preserveHost: false,
    fetchTraits: traits,
    dial: denoDial,
  });
  try {
    const req = new Request("http://proxy/");
    const res = await transport.forward(req, new Upstream(`127.0.0.1:${server.addr.port}`), {
      path: "/",
      headers: transport.prepare(req, "", "id"),
      requestId: "id",
      body: null,
    });
    assertEquals(await res.text(), "late");
  } finally {
    await server.shutdown();
  }
});

Deno.test("transport: with http1Bodies, a refused body goes whole to the next backend, and onDone follows responses only", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) =>
      new Response(`${req.headers.get("content-length")}:${(await req.text()).length}`),
  );
  const refused = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const refusedPort = (refused.addr as Deno.NetAddr).port;
  refused.close();
  const http1 = createHttp1Client({
    dial: denoDial,
    streamBody: webStreamBody,
    connectTimeoutMs: 1_000,
    keepAliveMs: 1_000,
    idleTimeoutMs: 1_000,
  });
  const transport = createTransport({
    timers,
    preserveHost: false,
    fetchTraits: traits,
    http1,
    http1Bodies: true,
    fetch: () => Promise.reject(new Error("the body went to fetch")),
  });
  const body = "b".repeat(100_000);
  const req = new Request("http://proxy/up", {
    method: "POST",
    body,
    headers: { "content-length": String(body.length) },
  });
  let done = 0;
  const attempt = {
    path: "/up",
    headers: transport.prepare(req, "10.0.0.1", "id-1"),
    requestId: "id-1",
    body: req.body,
    onDone: () => done++,
  };
  try {
    const error = await transport.forward(req, new Upstream(`127.0.0.1:${refusedPort}`), attempt)
      .then(() => undefined, (e) => e);
    assertEquals(error instanceof UpstreamError && error.kind, "connect");
    assertEquals(done, 0, "no response, no onDone: the caller counts the failure itself");
    assertEquals(req.body!.locked, false, "nothing of the body was read");
    const res = await transport.forward(
      req,
      new Upstream(`127.0.0.1:${server.addr.port}`),
      attempt,
    );
    assertEquals(await res.text(), "100000:100000", "sent under its Content-Length, whole");
    assertEquals(done, 1);
  } finally {
    http1.close();
    await server.shutdown();
  }
});
