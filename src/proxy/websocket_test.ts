import { assert, assertEquals } from "@std/assert";
import { Upstream } from "../balancer/upstream.ts";
import { memoryLogger } from "../log.ts";
import type { WebSocketAccept, WebSocketMessage } from "../runtime/types.ts";
import {
  bridgeWebSocket,
  closeFrameFor,
  isWebSocketUpgrade,
  parseSubprotocols,
  truncateReason,
} from "./websocket.ts";

function upgradeRequest(headers: Record<string, string> = {}, method = "GET"): Request {
  return new Request("http://proxy.test/chat?room=1", {
    method,
    headers: { upgrade: "websocket", connection: "Upgrade", ...headers },
  });
}

Deno.test("isWebSocketUpgrade() wants GET with Upgrade: websocket and Connection: upgrade", () => {
  assert(isWebSocketUpgrade(upgradeRequest()));
  assert(
    isWebSocketUpgrade(upgradeRequest({ upgrade: "WebSocket", connection: "keep-alive, Upgrade" })),
  );
  assert(!isWebSocketUpgrade(upgradeRequest({}, "POST")));
  assert(!isWebSocketUpgrade(upgradeRequest({ upgrade: "h2c" })));
  assert(!isWebSocketUpgrade(upgradeRequest({ connection: "keep-alive" })));
  assert(!isWebSocketUpgrade(new Request("http://proxy.test/")));
});

Deno.test("parseSubprotocols() splits on commas with or without spaces", () => {
  assertEquals(parseSubprotocols("chat,superchat"), ["chat", "superchat"]);
  assertEquals(parseSubprotocols("chat, superchat"), ["chat", "superchat"]);
  assertEquals(parseSubprotocols(" chat ,, superchat, chat "), ["chat", "superchat"]);
  assertEquals(parseSubprotocols(""), []);
  assertEquals(parseSubprotocols(null), []);
});

Deno.test("closeFrameFor() passes sendable codes and maps the ones that only report", () => {
  assertEquals(closeFrameFor(4001, "bye", "client"), { code: 4001, reason: "bye" });
  assertEquals(closeFrameFor(1001, "going", "upstream"), { code: 1001, reason: "going" });
  assertEquals(closeFrameFor(1011, "oops", "client"), { code: 1011, reason: "oops" });
  assertEquals(closeFrameFor(1005, "", "client"), { code: undefined, reason: "" });
  assertEquals(closeFrameFor(1006, "", "client"), {
    code: 1011,
    reason: "upstream connection lost",
  });
  assertEquals(closeFrameFor(1006, "", "upstream"), { code: 1001, reason: "client went away" });
  assertEquals(closeFrameFor(1015, "", "client").code, 1011);
});

Deno.test("truncateReason() keeps a reason within 123 bytes without splitting a character", () => {
  assertEquals(truncateReason("short"), "short");
  assertEquals(truncateReason("a".repeat(200)), "a".repeat(123));
  const cut = truncateReason("é".repeat(100)); // 2 bytes each: 61 fit, the 62nd is split
  assertEquals(cut, "é".repeat(61));
});

/** A WebSocket client stand-in: the test decides when it opens, what it receives, how it closes. */
class FakeSocket extends EventTarget {
  readyState: number = WebSocket.CONNECTING;
  protocol = "";
  sent: WebSocketMessage[] = [];
  closedWith: Array<[number | undefined, string | undefined]> = [];
  constructor(readonly url: string, readonly protocols: string[], readonly headers: Headers) {
    super();
  }
  send(message: WebSocketMessage) {
    this.sent.push(message);
  }
  close(code?: number, reason?: string) {
    this.closedWith.push([code, reason]);
    this.readyState = WebSocket.CLOSING;
  }
  open(protocol = "") {
    this.protocol = protocol;
    this.readyState = WebSocket.OPEN;
    this.dispatchEvent(new Event("open"));
  }
  receive(data: WebSocketMessage) {
    this.dispatchEvent(new MessageEvent("message", { data }));
  }
  closeFromPeer(code: number, reason: string) {
    this.readyState = WebSocket.CLOSED;
    this.dispatchEvent(new CloseEvent("close", { code, reason }));
  }
}

function fakeRuntime(onConnect: (socket: FakeSocket) => void = (s) => s.open()) {
  const state = {
    socket: undefined as FakeSocket | undefined,
    accepted: undefined as WebSocketAccept | undefined,
    clientSent: [] as WebSocketMessage[],
    clientClosed: [] as Array<[number | undefined, string | undefined]>,
  };
  const runtime = {
    connectWebSocket(url: string, options: { protocols: string[]; headers: Headers }) {
      const socket = new FakeSocket(url, options.protocols, options.headers);
      state.socket = socket;
      queueMicrotask(() => onConnect(socket));
      return socket as unknown as WebSocket;
    },
    upgradeWebSocket(_req: Request, accept: WebSocketAccept) {
      state.accepted = accept;
      return new Response(null, { status: 200, headers: { "x-upgraded": "yes" } });
    },
  };
  const openClient = () =>
    state.accepted!.events.open({
      send: (m) => void state.clientSent.push(m),
      close: (code, reason) => void state.clientClosed.push([code, reason]),
    });
  return { runtime, state, openClient };
}

Deno.test("bridgeWebSocket() opens the upstream first and accepts its subprotocol", async () => {
  const { runtime, state, openClient } = fakeRuntime((s) => s.open("superchat"));
  const upstream = new Upstream("10.0.0.1:8080");
  const req = upgradeRequest({
    "sec-websocket-protocol": "chat,superchat",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    cookie: "session=1",
    host: "example.com",
  });
  const res = await bridgeWebSocket(req, upstream, {
    runtime,
    logger: memoryLogger(),
    clientIp: "192.0.2.7",
  });
  assertEquals(res.headers.get("x-upgraded"), "yes");
  assertEquals(state.socket!.url, "ws://10.0.0.1:8080/chat?room=1");
  assertEquals(state.socket!.protocols, ["chat", "superchat"]);
  assertEquals(state.socket!.headers.get("cookie"), "session=1");
  assertEquals(state.socket!.headers.get("host"), "example.com");
  assertEquals(state.socket!.headers.get("x-forwarded-for"), "192.0.2.7");
  assertEquals(state.socket!.headers.get("sec-websocket-key"), null);
  assertEquals(state.socket!.headers.get("upgrade"), null);
  assertEquals(state.accepted!.protocol, "superchat");
  assertEquals(upstream.inflight, 1);
  openClient();
});

Deno.test("bridgeWebSocket() queues upstream messages and close until the client is open", async () => {
  const { runtime, state, openClient } = fakeRuntime();
  const upstream = new Upstream("10.0.0.1:8080");
  await bridgeWebSocket(upgradeRequest(), upstream, {
    runtime,
    logger: memoryLogger(),
    clientIp: "",
  });
  const bytes = new Uint8Array([1, 2, 3]).buffer;
  state.socket!.receive("hello");
  state.socket!.receive(bytes);
  state.socket!.closeFromPeer(4001, "bye");
  assertEquals(state.clientSent, []);
  openClient();
  assertEquals(state.clientSent, ["hello", bytes]);
  assertEquals(state.clientClosed, [[4001, "bye"]]);
  assertEquals(upstream.inflight, 0);
});

Deno.test("bridgeWebSocket() relays client messages and its close to the upstream", async () => {
  const { runtime, state, openClient } = fakeRuntime();
  const upstream = new Upstream("10.0.0.1:8080");
  const logger = memoryLogger();
  await bridgeWebSocket(upgradeRequest(), upstream, { runtime, logger, clientIp: "" });
  openClient();
  state.accepted!.events.message("ping");
  state.accepted!.events.close(1006, "");
  assertEquals(state.socket!.sent, ["ping"]);
  assertEquals(state.socket!.closedWith, [[1001, "client went away"]]);
  assertEquals(upstream.inflight, 0);
  const closed = logger.lines.find((l) => l.msg === "websocket_closed");
  assertEquals([closed?.closed_by, closed?.code], ["client", 1006]);
});

Deno.test("bridgeWebSocket() answers 502 when the upstream refuses the WebSocket", async () => {
  const { runtime, state } = fakeRuntime((s) => s.closeFromPeer(1006, ""));
  const upstream = new Upstream("10.0.0.1:8080");
  const res = await bridgeWebSocket(upgradeRequest(), upstream, {
    runtime,
    logger: memoryLogger(),
    clientIp: "",
  });
  assertEquals(res.status, 502);
  assertEquals((await res.json()).kind, "connect");
  assertEquals(state.accepted, undefined);
  assertEquals(upstream.inflight, 0);
});

Deno.test("bridgeWebSocket() answers 504 when the upstream does not open in time", async () => {
  const { runtime, state } = fakeRuntime(() => {});
  const upstream = new Upstream("10.0.0.1:8080");
  const res = await bridgeWebSocket(upgradeRequest(), upstream, {
    runtime,
    logger: memoryLogger(),
    clientIp: "",
    connectTimeoutMs: 5,
  });
  assertEquals(res.status, 504);
  assertEquals(state.socket!.closedWith.length, 1);
  assertEquals(upstream.inflight, 0);
});

Deno.test("bridgeWebSocket() answers 400 to subprotocols a WebSocket client refuses", async () => {
  const runtime = {
    connectWebSocket(): WebSocket {
      throw new SyntaxError("Invalid protocol value");
    },
    upgradeWebSocket: () => new Response(),
  };
  const upstream = new Upstream("10.0.0.1:8080");
  const res = await bridgeWebSocket(upgradeRequest({ "sec-websocket-protocol": "a b" }), upstream, {
    runtime,
    logger: memoryLogger(),
    clientIp: "",
  });
  assertEquals(res.status, 400);
  assertEquals(upstream.inflight, 0);
});
