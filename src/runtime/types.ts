// The operations podgate needs from its host runtime. Deno and Bun each supply them in their own
// file; nothing outside src/runtime/ touches `Deno.*` or `Bun.*`.

/** What a handler learns about the connection a request came in on. */
export interface ConnInfo {
  /** The client's IP address, without port ("" when the runtime cannot tell). */
  readonly remoteAddr: string;
}

export type FetchHandler = (req: Request, conn: ConnInfo) => Response | Promise<Response>;

export interface ServeOptions {
  port: number;
  hostname?: string;
  /** Seconds a connection may sit idle before the server closes it. */
  idleTimeoutSeconds?: number;
  /** Answers a request whose handler threw; the server keeps serving. */
  onError?: (error: unknown) => Response;
}

export interface RunningServer {
  readonly port: number;
  readonly hostname: string;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  shutdown(): Promise<void>;
  /** Closes every connection now. */
  close(): Promise<void>;
}

/** TLS material for a client that talks to an API server (PEM strings). */
export interface TlsClientOptions {
  caCerts?: string[];
  cert?: string;
  key?: string;
  insecureSkipVerify?: boolean;
}

/** A WebSocket message as the runtimes deliver it: text, or binary bytes. */
export type WebSocketMessage = string | ArrayBuffer | Uint8Array;

/** The server end of a WebSocket accepted by `upgradeWebSocket`. */
export interface WebSocketPeer {
  send(message: WebSocketMessage): void;
  /** Without a code the close frame carries none (Deno's client then sees 1005, Bun's 1000). */
  close(code?: number, reason?: string): void;
}

/** What happens on an accepted WebSocket; `open` comes before any `message`. */
export interface WebSocketEvents {
  open(peer: WebSocketPeer): void;
  message(message: WebSocketMessage): void;
  close(code: number, reason: string): void;
}

export interface WebSocketAccept {
  /** The subprotocol to confirm: one the client offered, or none. */
  protocol?: string | undefined;
  events: WebSocketEvents;
}

export interface WebSocketConnectOptions {
  protocols: string[];
  /** Extra handshake headers (non-standard in both runtimes; Deno drops Host). */
  headers: Headers;
}

export type SignalName = "SIGINT" | "SIGTERM";

/** What a raw TCP connection reports (see Runtime.http1). */
export interface SocketEvents {
  /** Bytes received; each call gets a buffer of its own. */
  data(chunk: Uint8Array): void;
  /** Everything written so far has left; more may be written. */
  drain(): void;
  /** The connection ended: cleanly (no error) or not. Called once, also after destroy(). */
  close(error?: unknown): void;
}

/** A raw TCP connection. */
export interface ByteSocket {
  /** Sends bytes (a string must be ASCII); false when they were queued: wait for drain. */
  write(data: string | Uint8Array): boolean;
  /** Stops data events until resume(). */
  pause(): void;
  resume(): void;
  /** Closes the connection now, dropping anything unsent. */
  destroy(): void;
}

/** Opens a TCP connection; rejects when it cannot (refused, unreachable, unresolvable). */
export type Dial = (
  target: { hostname: string; port: number },
  events: SocketEvents,
) => Promise<ByteSocket>;

/** Feeds a pushed body stream (see Runtime.http1.streamBody). */
export interface BodyWriter {
  /** A promise means the reader is behind: write no more until it settles. */
  write(chunk: Uint8Array): void | Promise<unknown>;
  end(): void;
  /** Ends the stream with an error: the client sees a cut body, never a complete one. */
  fail(error: unknown): void;
}

/** A ReadableStream fed by pushes: `start` gets the writer when the stream's reader starts; `cancel` reports a reader that went away. */
export type StreamBody = (
  start: (writer: BodyWriter) => void,
  cancel: (reason: unknown) => void,
) => ReadableStream<Uint8Array>;

/** What podgate's own HTTP/1.1 upstream client needs from the runtime. */
export interface Http1Parts {
  dial: Dial;
  streamBody: StreamBody;
}

/** See Runtime.fetchIdleTimeout. */
export interface NativeIdleTimeout {
  init(ms: number): Record<string, unknown>;
  readonly minMs: number;
}

export interface Runtime {
  readonly name: "deno" | "bun";
  readonly version: string;
  serve(handler: FetchHandler, options: ServeOptions): Promise<RunningServer>;
  /** A fetch that trusts the given CA and presents the given client certificate. */
  tlsFetch(tls: TlsClientOptions): typeof fetch;
  /**
   * Extra RequestInit fields that make fetch behave as a proxy's transport: no decompression,
   * and the client's Host header kept.
   */
  readonly proxyInit: Record<string, unknown>;
  /**
   * Accepts the WebSocket upgrade of `req`, the very Request `serve` handed to the handler; the
   * handler returns this Response itself, not a copy. Throws TypeError when `req` is not a valid
   * upgrade.
   */
  upgradeWebSocket(req: Request, accept: WebSocketAccept): Response;
  /** Opens a WebSocket to an upstream, binary messages as ArrayBuffer. */
  connectWebSocket(url: string, options: WebSocketConnectOptions): WebSocket;
  /**
   * The Accept-Encoding to send upstream, given the client's. Bun passes bytes through untouched;
   * Deno decompresses any encoded response unless it asked for identity, so it asks for that.
   */
  upstreamAcceptEncoding(clientValue: string | null): string | null;
  /**
   * Whether the headers of a Response that fetch returned may be edited in place. Bun allows it,
   * so a proxy can hand the upstream Response itself back to the server (which then pipes its
   * body natively); Deno makes them immutable, so the proxy builds a new Response.
   */
  readonly fetchResponseHeadersMutable: boolean;
  /**
   * A plain-object copy of `headers` in one native call, lowercase names (Bun's toJSON), where
   * that beats calling Headers methods one by one; undefined elsewhere.
   */
  headerRecord?(headers: Headers): Record<string, string>;
  /**
   * The runtime's own fetch idle timer, where it has one: `init(ms)` gives the RequestInit fields
   * that make fetch cut a connection silent for `ms`, headers and body alike, and `minMs` is the
   * shortest timeout it enforces closely enough (±50%). Bun's `timeout` ticks every 4 s and fires
   * 4–8 s late, so it only stands in for podgate's exact watcher on long timeouts.
   */
  readonly fetchIdleTimeout?: NativeIdleTimeout;
  /**
   * Where the server's own idle timer also cuts a request body that stalls (Bun.serve's
   * `idleTimeout`: the connection is closed and the handler's body stream fails), the shortest
   * body timeout it stands in for: it counts in whole seconds on a coarse tick.
   */
  readonly serverIdleCutsBodiesFromMs?: number;
  /**
   * Whether fetch leaves a request body stream untouched when it fails before sending any of it
   * (refused connection), so the same stream can go to the next backend. Bun does; for Deno the
   * proxy wraps the body to know.
   */
  readonly fetchKeepsUnsentBody: boolean;
  /**
   * Raw sockets for podgate's own HTTP/1.1 upstream client (src/http1/). Per small request it
   * costs a fifth fewer CPU instructions than Bun's fetch (whose requests cross to a thread of
   * their own) and two fifths fewer than Deno's.
   */
  readonly http1: Http1Parts;
  env(name: string): string | undefined;
  envAll(): Record<string, string>;
  args(): string[];
  readTextFile(path: string): Promise<string>;
  fileExists(path: string): Promise<boolean>;
  onSignal(signal: SignalName, listener: () => void): () => void;
  exit(code: number): never;
  /** Writes a line to stdout or stderr without the console's formatting. */
  writeOut(line: string): void;
  writeErr(line: string): void;
  /** Resident set size of this process in bytes. */
  memoryRss(): number;
}
