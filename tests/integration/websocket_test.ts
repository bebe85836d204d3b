// WebSocket bridging on Deno, in-process over loopback: the client-visible scenarios through a
// minimal request path (runtime.serve → isWebSocketUpgrade → bridgeWebSocket), plus what only the
// process itself can see (in-flight counts, the connect timeout).
import { assertEquals } from "@std/assert";
import { Upstream } from "../../src/balancer/upstream.ts";
import { silentLogger } from "../../src/log.ts";
import { errorResponse } from "../../src/proxy/errors.ts";
import { bridgeWebSocket, isWebSocketUpgrade } from "../../src/proxy/websocket.ts";
import { runtime } from "../../src/runtime/mod.ts";
import { rawRequest } from "../support/raw_http.ts";
import { startInProcess } from "../support/proxy_target.ts";
import {
  connectClient,
  startEchoUpstream,
  upgradeHead,
  type WebSocketProxy,
  websocketScenarios,
} from "../support/websocket_scenarios.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

interface BridgeProxy extends WebSocketProxy {
  readonly upstreams: Upstream[];
}

/** The bridge behind a request path of its own, round-robin over PODGATE_BACKENDS. */
async function startBridgeProxy(
  env: Record<string, string>,
  connectTimeoutMs = 5_000,
): Promise<BridgeProxy> {
  const upstreams = (env.PODGATE_BACKENDS ?? "").split(",").map((a) => new Upstream(a));
  let turn = 0;
  const server = await runtime.serve((req, conn) => {
    if (!isWebSocketUpgrade(req)) return errorResponse(404, "websocket only");
    const upstream = upstreams[turn++ % upstreams.length]!;
    return bridgeWebSocket(req, upstream, {
      runtime,
      logger: silentLogger,
      clientIp: conn.remoteAddr,
      connectTimeoutMs,
    });
  }, { port: 0, hostname: "127.0.0.1" });
  return { port: server.port, upstreams, stop: () => server.close() };
}

// The client-visible scenarios through the proxy's real request path.
websocketScenarios("deno", startInProcess);

/** Polls until `read()` returns `want` (in-flight counts settle after close events run). */
async function eventually<T>(read: () => T, want: T, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (read() !== want) {
    if (Date.now() > deadline) assertEquals(read(), want);
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test({
  name: "[deno bridge] an open WebSocket counts as one request in flight on its backend",
  ...opts,
  async fn() {
    const echo = startEchoUpstream();
    const proxy = await startBridgeProxy({ PODGATE_BACKENDS: echo.address });
    try {
      const upstream = proxy.upstreams[0]!;
      const client = await connectClient(`ws://127.0.0.1:${proxy.port}/`);
      assertEquals(await client.next(), "hello");
      assertEquals(upstream.inflight, 1);
      client.socket.close(1000);
      await client.closed();
      await eventually(() => upstream.inflight, 0);
    } finally {
      await proxy.stop();
      await echo.close();
    }
  },
});

Deno.test({
  name: "[deno bridge] a backend that accepts TCP but never answers the handshake gives 504",
  ...opts,
  async fn() {
    const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held: Deno.Conn[] = [];
    (async () => {
      for await (const conn of silent) held.push(conn);
    })();
    const { port } = silent.addr as Deno.NetAddr;
    const proxy = await startBridgeProxy({ PODGATE_BACKENDS: `127.0.0.1:${port}` }, 200);
    try {
      const res = await rawRequest(proxy.port, upgradeHead("/"));
      assertEquals(res.status, 504);
      assertEquals(JSON.parse(res.text()).kind, "timeout");
      assertEquals(proxy.upstreams[0]!.inflight, 0);
    } finally {
      await proxy.stop();
      silent.close();
      held.forEach((c) => c.close());
    }
  },
});
