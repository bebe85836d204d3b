// WebSocket proxying. fetch cannot carry an upgrade, so the proxy bridges two sockets: it opens one
// to the upstream first, then accepts the client's with the subprotocol the upstream chose, and
// relays messages and the close (code and reason) between them.
import type { Upstream } from "../balancer/upstream.ts";
import type { Logger } from "../log.ts";
import type { Runtime, WebSocketMessage, WebSocketPeer } from "../runtime/types.ts";
import { errorResponse } from "./errors.ts";
import { upstreamRequestHeaders } from "./headers.ts";
import { upstreamTarget } from "./upstream_target.ts";
import { editHeaders } from "../routes/filters.ts";
import type { ForwardPlan } from "./route_resolution.ts";

/** Whether `req` asks to become a WebSocket (RFC 6455 §4.1: GET, Upgrade and Connection). */
export function isWebSocketUpgrade(req: Request): boolean {
  if (req.method !== "GET") return false;
  return hasToken(req.headers.get("upgrade"), "websocket") &&
    hasToken(req.headers.get("connection"), "upgrade");
}

function hasToken(value: string | null, token: string): boolean {
  return value !== null && value.split(",").some((t) => t.trim().toLowerCase() === token);
}

/**
 * The subprotocols a client offered, in its order. Commas split them whether or not a space
 * follows ("chat,superchat" is common and Deno's own parser rejects it); repeats are dropped,
 * because a WebSocket client refuses a list with duplicates.
 */
export function parseSubprotocols(value: string | null): string[] {
  if (!value) return [];
  const seen = new Set<string>();
  for (const part of value.split(",")) {
    const protocol = part.trim();
    if (protocol) seen.add(protocol);
  }
  return [...seen];
}

export interface CloseFrame {
  /** Undefined: a close frame without a status code (its receiver reports 1005). */
  code?: number | undefined;
  reason: string;
}

/**
 * The close to send to one side after the other closed with `code`. 1005 and 1006 only report
 * what arrived (no code, no close frame at all) and cannot be sent: "no code" is passed on as a
 * close without a code; a connection that dropped becomes 1011 toward the client (the server side
 * failed) and 1001 toward the upstream (the client went away).
 */
export function closeFrameFor(
  code: number,
  reason: string,
  toward: "client" | "upstream",
): CloseFrame {
  if (code === 1005) return { code: undefined, reason: "" };
  if (!isSendable(code)) {
    return toward === "client"
      ? { code: 1011, reason: "upstream connection lost" }
      : { code: 1001, reason: "client went away" };
  }
  return { code, reason: truncateReason(reason) };
}

/** Codes RFC 6455 §7.4 lets an endpoint put in a close frame. */
function isSendable(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A close reason fits in 123 bytes of UTF-8 (the frame's 125 less the code). */
export function truncateReason(reason: string): string {
  const bytes = encoder.encode(reason);
  if (bytes.length <= 123) return reason;
  // A cut inside a multi-byte character decodes to U+FFFD (3 bytes); drop it instead.
  return decoder.decode(bytes.subarray(0, 123)).replace(/\uFFFD$/, "");
}

export interface BridgeOptions {
  runtime: Pick<Runtime, "upgradeWebSocket" | "connectWebSocket">;
  logger: Logger;
  clientIp: string;
  /** How long the upstream may take to accept the WebSocket (504 after); also how long the
   * client then has to complete its side before the upstream socket is given up. 0: no limit. */
  connectTimeoutMs?: number;
  /** Send the client's Host upstream (Bun only: Deno's WebSocket cannot set Host). */
  preserveHost?: boolean;
  /** The upstream path and query (the route's URLRewrite applied); the client's by default. */
  path?: string;
  /** The route's header edits and Host rewrite, applied to the handshake as to any request. */
  plan?: ForwardPlan;
  now?: () => number;
}

/**
 * Bridges a WebSocket upgrade request to `upstream`. Resolves with the Response the handler must
 * return as it is (setting a header is fine; a copy loses the upgrade): the upgrade (101 on Deno;
 * a stand-in 200 on Bun, which has answered 101 itself), or a JSON error (502 the upstream refused
 * or failed the handshake, 504 it did not answer in time, 499 the client left, 400 a bad request).
 * `upstream.inflight` counts the bridge from the first connection attempt until either side
 * closes.
 */
export async function bridgeWebSocket(
  req: Request,
  upstream: Upstream,
  options: BridgeOptions,
): Promise<Response> {
  const {
    runtime,
    logger,
    clientIp,
    connectTimeoutMs = 10_000,
    preserveHost = true,
    now = performance.now.bind(performance),
    plan,
  } = options;
  const path = options.path ?? upstreamTarget(req.url);
  const start = now();
  const log = { backend: upstream.address, path, client_ip: clientIp };

  let upstreamSocket: WebSocket;
  try {
    upstreamSocket = runtime.connectWebSocket(`ws://${upstream.address}${path}`, {
      protocols: parseSubprotocols(req.headers.get("sec-websocket-protocol")),
      headers: handshakeHeaders(req, clientIp, preserveHost, plan),
    });
  } catch (error) {
    // The WebSocket constructor throws SyntaxError for a subprotocol that is not a token.
    logger.warn("websocket_rejected", { ...log, error });
    return errorResponse(400, "invalid websocket request");
  }

  upstream.inflight++;
  let counted = true;
  const release = () => {
    if (counted) upstream.inflight--;
    counted = false;
  };

  const opened = await waitForOpen(upstreamSocket, connectTimeoutMs, req.signal);
  if (opened !== "open") {
    release();
    closeQuietly(upstreamSocket, { code: 1001, reason: "" });
    const status = opened === "timeout" ? 504 : opened === "aborted" ? 499 : 502;
    const kind = opened === "failed" ? "connect" : opened;
    logger.warn("websocket_upstream_failed", { ...log, status, kind });
    if (opened === "aborted") return errorResponse(499, "client closed request");
    return errorResponse(status, status === 504 ? "upstream timed out" : "bad gateway", {
      backend: upstream.address,
      kind,
    });
  }

  let client: WebSocketPeer | undefined;
  let closedBy: "client" | "upstream" | undefined;
  // Upstream messages (and its close) that arrive before the client's side is open wait here.
  const queued: WebSocketMessage[] = [];
  let queuedClose: CloseFrame | undefined;

  // A client that never completes its side must not hold the upstream socket open for ever.
  const clientTimer = connectTimeoutMs > 0
    ? setTimeout(() => {
      if (client || closedBy) return;
      closeQuietly(upstreamSocket, { code: 1001, reason: "client did not connect" });
      finish("client", 1006, "client did not connect");
    }, connectTimeoutMs)
    : undefined;

  const finish = (by: "client" | "upstream", code: number, reason: string) => {
    clearTimeout(clientTimer);
    if (closedBy) return;
    closedBy = by;
    release();
    logger.info("websocket_closed", {
      ...log,
      closed_by: by,
      code,
      reason: reason || undefined,
      duration_ms: Math.round(now() - start),
    });
  };

  upstreamSocket.addEventListener("message", (event) => {
    guard(logger, () => {
      if (client) client.send(event.data);
      else queued.push(event.data);
    });
  });
  upstreamSocket.addEventListener("close", (event) => {
    guard(logger, () => {
      // After the client closed first, this is the upstream's answer: nothing left to pass on.
      const passOn = closedBy === undefined;
      // finish() first: Bun runs the client's close handler inside peer.close().
      finish("upstream", event.code, event.reason);
      if (!passOn) return;
      const frame = closeFrameFor(event.code, event.reason, "client");
      if (client) closePeer(client, frame);
      else queuedClose = frame;
    });
  });

  try {
    return runtime.upgradeWebSocket(req, {
      protocol: upstreamSocket.protocol || undefined,
      events: {
        open: (peer) =>
          guard(logger, () => {
            clearTimeout(clientTimer);
            client = peer;
            for (const message of queued.splice(0)) peer.send(message);
            if (queuedClose) closePeer(peer, queuedClose);
          }),
        message: (message) =>
          guard(logger, () => {
            if (upstreamSocket.readyState === WebSocket.OPEN) upstreamSocket.send(message);
          }),
        close: (code, reason) =>
          guard(logger, () => {
            finish("client", code, reason);
            closeQuietly(upstreamSocket, closeFrameFor(code, reason, "upstream"));
          }),
      },
    });
  } catch (error) {
    clearTimeout(clientTimer);
    closedBy = "client";
    release();
    closeQuietly(upstreamSocket, { code: 1001, reason: "" });
    logger.warn("websocket_rejected", { ...log, error });
    return errorResponse(400, "invalid websocket request");
  }
}

/** The client's headers as the upstream's handshake carries them (the handshake's own excluded). */
function handshakeHeaders(
  req: Request,
  clientIp: string,
  preserveHost: boolean,
  plan: ForwardPlan | undefined,
): Headers {
  const headers = upstreamRequestHeaders(req.headers, {
    clientIp,
    proto: "http",
    preserveHost,
    acceptEncoding: null,
  });
  for (const edits of plan?.requestEdits ?? []) editHeaders(headers, edits);
  if (plan?.rewrite?.hostname) headers.set("host", plan.rewrite.hostname);
  for (const name of [...headers.keys()]) {
    if (name.startsWith("sec-websocket-") || name === "content-length") headers.delete(name);
  }
  return headers;
}

type OpenResult = "open" | "failed" | "timeout" | "aborted";

function waitForOpen(
  socket: WebSocket,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<OpenResult> {
  if (signal.aborted) return Promise.resolve("aborted");
  return new Promise((resolve) => {
    const done = (result: OpenResult) => {
      clearTimeout(timer);
      socket.removeEventListener("open", onOpen);
      socket.removeEventListener("close", onClose);
      signal.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const onOpen = () => done("open");
    const onClose = () => done("failed");
    const onAbort = () => done("aborted");
    const timer = timeoutMs > 0 ? setTimeout(() => done("timeout"), timeoutMs) : undefined;
    socket.addEventListener("open", onOpen);
    // An "error" event is always followed by "close"; waiting for the close avoids a double count.
    socket.addEventListener("close", onClose);
    signal.addEventListener("abort", onAbort);
    // The events may already have fired: Deno can run pending microtasks while it lazily loads
    // one of its own modules (seen on the first `req.signal` of a process).
    if (socket.readyState === WebSocket.OPEN) done("open");
    else if (socket.readyState === WebSocket.CLOSED) done("failed");
  });
}

function closePeer(peer: WebSocketPeer, frame: CloseFrame): void {
  if (frame.code === undefined) peer.close();
  else peer.close(frame.code, frame.reason);
}

/**
 * Closes a client WebSocket without throwing. Deno's refuses codes other than 1000 and 3000-4999
 * (the browser rule) where Bun's sends any valid code: fall back to 1000, keeping the reason.
 */
function closeQuietly(socket: WebSocket, frame: CloseFrame): void {
  if (socket.readyState === WebSocket.CLOSING || socket.readyState === WebSocket.CLOSED) return;
  try {
    if (frame.code === undefined) socket.close();
    else socket.close(frame.code, frame.reason);
  } catch {
    try {
      socket.close(1000, frame.reason);
    } catch {
      socket.close();
    }
  }
}

/** Runs an event handler; an exception escaping one would take the whole process down under Deno. */
function guard(logger: Logger, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    logger.error("websocket_error", { error });
  }
}
