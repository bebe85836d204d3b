// The Deno half of WebSocket proxying: accept a client's upgrade, and open a socket to an upstream.
import type { WebSocketAccept, WebSocketConnectOptions, WebSocketPeer } from "./types.ts";

export function upgradeWebSocket(req: Request, { protocol, events }: WebSocketAccept): Response {
  // Deno.upgradeWebSocket's `protocol` option throws when the client listed its subprotocols
  // without a space ("chat,superchat"); setting the response header by hand works for any spelling.
  const { socket, response } = Deno.upgradeWebSocket(req);
  if (protocol) response.headers.set("sec-websocket-protocol", protocol);
  socket.binaryType = "arraybuffer";
  const peer: WebSocketPeer = {
    send: (message) => socket.send(message),
    close: (code, reason) => code === undefined ? socket.close() : socket.close(code, reason),
  };
  socket.onopen = () => events.open(peer);
  socket.onmessage = (event) => events.message(event.data);
  socket.onclose = (event) => events.close(event.code, event.reason);
  return response;
}

export function connectWebSocket(url: string, options: WebSocketConnectOptions): WebSocket {
  const headers = new Headers(options.headers);
  // Deno's WebSocket takes handshake headers (non-standard) but ignores Host, and appends its own
  // User-Agent to the one given ("Deno/2.9.6, curl/8"): send neither rather than a mangled one.
  headers.delete("host");
  headers.delete("user-agent");
  const socket = new WebSocket(url, { protocols: options.protocols, headers });
  socket.binaryType = "arraybuffer";
  return socket;
}
