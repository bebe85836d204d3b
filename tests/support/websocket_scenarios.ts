// WebSocket proxying as a client sees it, written once and run against every way the proxy runs:
// an echo upstream that greets, echoes, picks "superchat" and closes on "bye" with 4001, and the
// scenarios a WebSocket client of the proxy must pass.
import { assert, assertEquals } from "@std/assert";
import { freePort } from "./process.ts";
import { rawRequest } from "./raw_http.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** A test that waits for something that never comes fails with a message instead of hanging. */
function deadline<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

export interface Close {
  code: number;
  reason: string;
}

export interface EchoUpstream {
  readonly address: string;
  /** Path and headers of each WebSocket handshake it accepted. */
  readonly handshakes: Array<{ path: string; headers: Headers }>;
  /** Resolves with how the next socket to close was closed by its peer (the proxy). */
  nextClose(): Promise<Close>;
  close(): Promise<void>;
}

/** A WebSocket echo server: "hello" on open, echoes text and bytes, "bye" closes with 4001. */
export function startEchoUpstream(): EchoUpstream {
  const handshakes: EchoUpstream["handshakes"] = [];
  const sockets = new Set<WebSocket>();
  const closes: Close[] = [];
  const waiters: Array<(close: Close) => void> = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("websocket only", { status: 426 });
    }
    const url = new URL(req.url);
    handshakes.push({ path: url.pathname + url.search, headers: new Headers(req.headers) });
    const offered = (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) =>
      p.trim()
    );
    const { socket, response } = Deno.upgradeWebSocket(req);
    if (offered.includes("superchat")) response.headers.set("sec-websocket-protocol", "superchat");
    socket.binaryType = "arraybuffer";
    sockets.add(socket);
    socket.onopen = () => socket.send("hello");
    socket.onmessage = (event) => {
      if (event.data === "bye") socket.close(4001, "bye");
      else socket.send(event.data);
    };
    socket.onclose = (event) => {
      sockets.delete(socket);
      const close = { code: event.code, reason: event.reason };
      const waiter = waiters.shift();
      if (waiter) waiter(close);
      else closes.push(close);
    };
    return response;
  });
  return {
    address: `127.0.0.1:${server.addr.port}`,
    handshakes,
    nextClose: () => {
      const close = closes.shift();
      if (close) return Promise.resolve(close);
      return deadline(new Promise((resolve) => waiters.push(resolve)), "the upstream's close");
    },
    async close() {
      for (const socket of sockets) socket.close();
      await server.shutdown();
    },
  };
}

export interface TestClient {
  readonly socket: WebSocket;
  /** The next message, in order of arrival. */
  next(): Promise<string | ArrayBuffer>;
  /** Resolves with how the proxy closed this socket. */
  closed(): Promise<Close>;
}

/** Opens a WebSocket and collects what arrives; rejects when it cannot open. */
export function connectClient(url: string, protocols: string[] = []): Promise<TestClient> {
  const socket = new WebSocket(url, protocols);
  socket.binaryType = "arraybuffer";
  const messages: Array<string | ArrayBuffer> = [];
  const waiters: Array<(message: string | ArrayBuffer) => void> = [];
  socket.onmessage = (event) => {
    const waiter = waiters.shift();
    if (waiter) waiter(event.data);
    else messages.push(event.data);
  };
  const closed = new Promise<Close>((resolve) => {
    socket.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason }));
  });
  return new Promise((resolve, reject) => {
    socket.onopen = () =>
      resolve({
        socket,
        closed: () => deadline(closed, "the client's close"),
        next: () => {
          const message = messages.shift();
          return message !== undefined
            ? Promise.resolve(message)
            : deadline(new Promise((r) => waiters.push(r)), "the next message");
        },
      });
    socket.onerror = (event) =>
      reject(new Error(`WebSocket ${url}: ${(event as ErrorEvent).message}`));
  });
}

/** The raw handshake of a browser that writes its subprotocols without a space. */
export function upgradeHead(path: string, protocols?: string): string {
  return [
    `GET ${path} HTTP/1.1`,
    "Host: podgate.test",
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    ...(protocols ? [`Sec-WebSocket-Protocol: ${protocols}`] : []),
  ].join("\r\n");
}

export interface WebSocketProxy {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts the proxy under test with environment-style config (PODGATE_BACKENDS, …). */
export type StartWebSocketProxy = (env: Record<string, string>) => Promise<WebSocketProxy>;

async function withProxy(
  start: StartWebSocketProxy,
  body: (ctx: { port: number; upstream: EchoUpstream }) => Promise<void>,
  backend?: string,
): Promise<void> {
  const upstream = startEchoUpstream();
  const proxy = await start({
    PODGATE_DISCOVERY: "static",
    PODGATE_BACKENDS: backend ?? upstream.address,
  });
  try {
    await body({ port: proxy.port, upstream });
  } finally {
    await proxy.stop();
    await upstream.close();
  }
}

export function websocketScenarios(label: string, start: StartWebSocketProxy): void {
  const t = (name: string, fn: () => Promise<void>) =>
    Deno.test({ name: `[${label}] ${name}`, ...opts, fn });

  t(
    "WebSocket echo through the proxy carries text, binary and the upstream's subprotocol",
    () =>
      withProxy(start, async ({ port, upstream }) => {
        const client = await connectClient(`ws://127.0.0.1:${port}/chat?room=7`, [
          "chat",
          "superchat",
        ]);
        assertEquals(client.socket.protocol, "superchat");
        // Sent by the upstream as soon as it opened, possibly before the client's side was.
        assertEquals(await client.next(), "hello");
        client.socket.send("ping über");
        assertEquals(await client.next(), "ping über");
        const bytes = new Uint8Array([0, 1, 2, 127, 128, 255]);
        client.socket.send(bytes);
        assertEquals(new Uint8Array(await client.next() as ArrayBuffer), bytes);
        assertEquals(upstream.handshakes[0]?.path, "/chat?room=7");
        assertEquals(upstream.handshakes[0]?.headers.get("x-forwarded-for"), "127.0.0.1");
        client.socket.close();
        await client.closed();
      }),
  );

  t(
    "an upstream's close code and reason reach the client",
    () =>
      withProxy(start, async ({ port }) => {
        const client = await connectClient(`ws://127.0.0.1:${port}/`);
        assertEquals(await client.next(), "hello");
        client.socket.send("bye");
        assertEquals(await client.closed(), { code: 4001, reason: "bye" });
      }),
  );

  t(
    "a client's close code and reason reach the upstream",
    () =>
      withProxy(start, async ({ port, upstream }) => {
        const client = await connectClient(`ws://127.0.0.1:${port}/`);
        assertEquals(await client.next(), "hello");
        client.socket.close(4002, "done here");
        assertEquals(await upstream.nextClose(), { code: 4002, reason: "done here" });
        assertEquals((await client.closed()).code, 4002);
      }),
  );

  t(
    'subprotocols written without a space ("chat,superchat") are accepted',
    () =>
      withProxy(start, async ({ port }) => {
        const res = await rawRequest(port, upgradeHead("/", "chat,superchat"));
        assertEquals(res.status, 101);
        assertEquals(res.header("sec-websocket-protocol"), "superchat");
      }),
  );

  t(
    "a WebSocket to a backend that refuses connections gets a 502 JSON error",
    () =>
      withProxy(start, async ({ port }) => {
        const res = await rawRequest(port, upgradeHead("/"));
        assertEquals(res.status, 502);
        const body = JSON.parse(res.text());
        assertEquals(body.status, 502);
        assert(typeof body.error === "string");
      }, `127.0.0.1:${freePort()}`),
  );
}
