// The Bun half of WebSocket proxying. Bun upgrades through the server that received the request,
// and routes every socket's events to one set of handlers given to Bun.serve; each socket carries
// its own WebSocketEvents as `data`.
import type {
  WebSocketAccept,
  WebSocketConnectOptions,
  WebSocketEvents,
  WebSocketMessage,
} from "./types.ts";

/** The part of Bun's Server that upgrades a request. */
export interface BunUpgrader {
  upgrade(req: Request, options: { headers?: HeadersInit; data: WebSocketEvents }): boolean;
}

interface BunServerWebSocket {
  readonly data: WebSocketEvents;
  send(message: WebSocketMessage): number;
  close(code?: number, reason?: string): void;
}

/** Bun.serve's `websocket` option. */
export interface BunWebSocketHandlers {
  open(ws: BunServerWebSocket): void;
  message(ws: BunServerWebSocket, message: string | Uint8Array): void;
  close(ws: BunServerWebSocket, code: number, reason: string): void;
}

// The server rides on the request under a private symbol: a property store costs a fraction of a
// WeakMap entry, which every request would pay for (and the collector after it).
const SERVER = Symbol("podgate.bunServer");
type WithServer = Request & { [SERVER]?: BunUpgrader };

/** Called by serve's fetch wrapper for each request, so an upgrade can find its server. */
export function rememberServer(req: Request, server: BunUpgrader): void {
  (req as WithServer)[SERVER] = server;
}

export const bunWebSocketHandlers: BunWebSocketHandlers = {
  open(ws) {
    ws.data.open({
      send: (message) => void ws.send(message),
      // Bun sends 1000 for a close without a code.
      close: (code, reason) => code === undefined ? ws.close() : ws.close(code, reason),
    });
  },
  message: (ws, message) => ws.data.message(message),
  close: (ws, code, reason) => ws.data.close(code, reason),
};

export function upgradeWebSocket(req: Request, { protocol, events }: WebSocketAccept): Response {
  const server = (req as WithServer)[SERVER];
  if (!server) {
    throw new TypeError("Cannot accept a WebSocket: the request did not come through serve()");
  }
  const upgraded = server.upgrade(req, {
    data: events,
    // Bun does not check the protocol against the client's offer; the caller picks one it offered.
    ...(protocol ? { headers: { "sec-websocket-protocol": protocol } } : {}),
  });
  if (!upgraded) {
    throw new TypeError("Cannot accept a WebSocket: the request is not a valid upgrade");
  }
  // Bun has answered 101 itself and ignores what the handler returns (verified on 1.4.5); a
  // Response (200 cannot say 101) keeps the handler's contract the same on both runtimes.
  return new Response(null, { status: 200 });
}

export function connectWebSocket(url: string, options: WebSocketConnectOptions): WebSocket {
  // Bun's WebSocket takes a non-standard options object; its headers go into the handshake,
  // Host included.
  const socket = new WebSocket(url, { protocols: options.protocols, headers: options.headers });
  socket.binaryType = "arraybuffer";
  return socket;
}
