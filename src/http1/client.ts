// podgate's own HTTP/1.1 client for upstream requests without a body. It talks to the runtime's
// raw TCP sockets (Runtime.http1) instead of fetch: under Bun, fetch hands every request to a
// thread of its own and back, which costs more CPU than the rest of a small proxied request.
// Connections are kept alive per backend; a small body of known length is collected and handed
// over whole (its Content-Length kept), anything else is streamed with backpressure.
import type { BodyWriter, ByteSocket, Dial, SocketEvents, StreamBody } from "../runtime/types.ts";
import { type ResponseHead, ResponseParser } from "./response_parser.ts";
import { requestHead } from "./request_head.ts";
import { Sweeper } from "./sweeper.ts";

export type Http1ErrorKind = "connect" | "reset" | "timeout" | "aborted" | "other";

/** Why an exchange failed, in the kinds the proxy answers differently. */
export class Http1Error extends Error {
  readonly kind: Http1ErrorKind;
  constructor(kind: Http1ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "Http1Error";
    this.kind = kind;
  }
}

export interface Http1ClientOptions {
  dial: Dial;
  streamBody: StreamBody;
  /** A connection not open after this long fails as a connect error (0: wait for the OS). */
  connectTimeoutMs: number;
  /** An idle pooled connection is closed within this long (0: one request per connection).
   * Keep it below the backends' own keep-alive timeout (Node's is 5 s). */
  keepAliveMs: number;
  /** A response body silent for this long is cut (0: never). Not counted while the reader is
   * behind. */
  idleTimeoutMs: number;
  /** Idle connections kept per backend; more are closed. */
  maxIdlePerBackend?: number;
  /** Bodies of known length up to this many bytes are collected and handed over whole. */
  bufferBodyBytes?: number;
  /**
   * The response's header list as the caller wants it, given the `tag` passed to request():
   * editing the list before the Response exists costs far less than editing its Headers.
   */
  responseHeaders?: (headers: [string, string][], tag: string | undefined) => [string, string][];
}

export type RequestHeaders = Record<string, string | string[]>;

export interface Http1Exchange {
  /** The response: its head, with a body that is complete or streams. */
  readonly response: Promise<Response>;
  /** Fails the exchange with `kind` and closes its connection; nothing once it has finished. */
  abort(kind: "timeout" | "aborted"): void;
  /** The response's body is streamed (too long to collect, or of unknown length). */
  readonly streamed: boolean;
}

export interface Http1Client {
  /**
   * Sends `method path` with `headers` (lowercase names; Host added when missing) to `address`
   * (`host:port`). `onDone` is called once when the exchange ends in any way: body delivered,
   * failed or cancelled.
   */
  request(
    address: string,
    method: string,
    path: string,
    headers: RequestHeaders,
    onDone?: () => void,
    tag?: string,
  ): Http1Exchange;
  /** Open connections, busy and idle. */
  readonly connections: number;
  /** Closes every connection now. */
  close(): void;
}

export function createHttp1Client(options: Http1ClientOptions): Http1Client {
  return new Client(options);
}

class Client implements Http1Client {
  readonly options: Http1ClientOptions;
  readonly bufferBodyBytes: number;
  readonly #idle = new Map<string, Connection[]>();
  readonly #maxIdle: number;
  readonly #sweeper: Sweeper<Connection>;

  constructor(options: Http1ClientOptions) {
    this.options = options;
    this.bufferBodyBytes = options.bufferBodyBytes ?? 65_536;
    this.#maxIdle = options.maxIdlePerBackend ?? 256;
    this.#sweeper = new Sweeper<Connection>({
      idleLimitMs: options.keepAliveMs,
      quietLimitMs: options.idleTimeoutMs,
      // A connection still opening is busy too: its exchange waits for it.
      isBusy: (conn) => conn.current !== undefined || conn.socket === undefined,
      // Only a body can be silent too long: the wait for headers is the caller's timeout.
      isWatched: (conn) => conn.current?.responseHead !== undefined && !conn.paused,
      onIdleLimit: (conn) => conn.destroy(),
      onQuietLimit: (conn) => conn.timeOut(),
    });
  }

  get connections(): number {
    return this.#sweeper.size;
  }

  request(
    address: string,
    method: string,
    path: string,
    headers: RequestHeaders,
    onDone?: () => void,
    tag?: string,
  ): Http1Exchange {
    const head = requestHead(method, path, headers, address);
    const exchange = new Exchange(this, method, head, onDone, tag);
    const conn = this.#takeIdle(address);
    if (conn) conn.assign(exchange, true);
    else this.dial(address, exchange);
    return exchange;
  }

  close(): void {
    for (const conn of this.#sweeper.all()) conn.destroy();
    this.#idle.clear();
  }

  /** Opens a new connection for `exchange`. */
  dial(address: string, exchange: Exchange): void {
    const conn = new Connection(this, address);
    this.#sweeper.add(conn);
    const { connectTimeoutMs } = this.options;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (connectTimeoutMs > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        exchange.fail(
          new Http1Error(
            "connect",
            `connecting to ${address} timed out after ${connectTimeoutMs} ms`,
          ),
        );
      }, connectTimeoutMs);
    }
    const { hostname, port } = splitAddress(address);
    this.options.dial({ hostname, port }, conn).then((socket) => {
      clearTimeout(timer);
      conn.opened(socket);
      if (conn.closed) {
        exchange.fail(new Http1Error("reset", `${address} closed the connection at once`));
      } else if (exchange.finished) this.release(conn);
      else conn.assign(exchange, false);
    }, (error) => {
      clearTimeout(timer);
      conn.dialFailed();
      exchange.fail(new Http1Error("connect", `cannot connect to ${address}`, { cause: error }));
    });
  }

  /** A connection that finished a response and may carry another. */
  release(conn: Connection): void {
    if (conn.closed) return;
    let list = this.#idle.get(conn.address);
    if (!list) this.#idle.set(conn.address, list = []);
    if (this.options.keepAliveMs === 0 || list.length >= this.#maxIdle) return conn.destroy();
    conn.quiet = 0;
    list.push(conn);
  }

  forget(conn: Connection): void {
    this.#sweeper.delete(conn);
    const list = this.#idle.get(conn.address);
    if (!list) return;
    const i = list.lastIndexOf(conn);
    if (i !== -1) list.splice(i, 1);
    // Pod addresses churn: a backend's entry goes with its last idle connection.
    if (list.length === 0) this.#idle.delete(conn.address);
  }

  /** The most recently used idle connection: the least likely to have been closed by now. */
  #takeIdle(address: string): Connection | undefined {
    const list = this.#idle.get(address);
    if (!list) return undefined;
    for (let conn = list.pop(); conn; conn = list.pop()) if (!conn.closed) return conn;
    return undefined;
  }
}

/** One request and its response. */
class Exchange implements Http1Exchange {
  readonly response: Promise<Response>;
  readonly method: string;
  readonly head: string | Uint8Array;
  readonly tag: string | undefined;
  readonly #client: Client;
  #resolve!: (response: Response) => void;
  #reject!: (error: unknown) => void;
  #onDone: (() => void) | undefined;
  conn: Connection | undefined;
  /** The response head, once it arrived. */
  responseHead: ResponseHead | undefined;
  /** Body bytes not yet handed to a writer. */
  chunks: Uint8Array[] = [];
  chunkBytes = 0;
  writer: BodyWriter | undefined;
  /** The response promise has settled (a stream may still be running). */
  settled = false;
  /** The response body ended, from the parser's point of view. */
  ended = false;
  /** Done in every way: onDone has been called. */
  finished = false;
  failure: unknown;
  /** A reused connection went away before answering, and the request was sent again. */
  resent = false;
  streamed = false;

  constructor(
    client: Client,
    method: string,
    head: string | Uint8Array,
    onDone: (() => void) | undefined,
    tag: string | undefined,
  ) {
    this.#client = client;
    this.method = method;
    this.head = head;
    this.tag = tag;
    this.#onDone = onDone;
    this.response = new Promise<Response>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  abort(kind: "timeout" | "aborted"): void {
    if (this.finished) return;
    const conn = this.conn;
    this.fail(new Http1Error(kind, kind === "timeout" ? "upstream timed out" : "request aborted"));
    conn?.destroy();
  }

  /** Decides, after a batch of bytes, whether the response can be handed over and how. */
  settle(): void {
    if (this.settled || this.finished) return;
    const head = this.responseHead;
    if (!head) return;
    if (this.ended) return this.#hand(this.#collected(), true);
    if (head.bodyKind === "length" && head.contentLength <= this.#client.bufferBodyBytes) return;
    const stream = this.#client.options.streamBody(
      (writer) => this.#attach(writer),
      () => this.#cancelled(),
    );
    this.streamed = true;
    this.#hand(stream, false);
  }

  body(chunk: Uint8Array): void {
    if (this.writer) {
      const wait = this.writer.write(chunk);
      if (wait) this.conn?.waitFor(wait);
      return;
    }
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
    // A stream handed over but not read yet: hold the upstream once a buffer's worth is queued.
    if (this.settled && this.chunkBytes > this.#client.bufferBodyBytes) this.conn?.pauseUntilRead();
  }

  end(): void {
    this.ended = true;
    if (this.writer) {
      this.writer.end();
      this.#finish();
    }
  }

  fail(error: unknown): void {
    if (this.finished) return;
    this.failure = error;
    if (!this.settled) {
      this.settled = true;
      this.#reject(error);
      this.#finish();
    } else if (this.writer) {
      this.writer.fail(error);
      this.#finish();
    }
    // Else a stream was handed over but not read yet: #attach fails it, or #cancelled ends it.
  }

  #hand(body: ReadableStream<Uint8Array> | Uint8Array | null, complete: boolean): void {
    const head = this.responseHead!;
    const edit = this.#client.options.responseHeaders;
    const headers = edit ? edit(framedHeaders(head), this.tag) : framedHeaders(head);
    let response: Response;
    try {
      response = new Response(body as BodyInit | null, {
        status: head.status,
        statusText: head.statusText,
        headers,
      });
    } catch (error) {
      // A status fetch's Response cannot carry (below 200 or above 599).
      const conn = this.conn;
      this.fail(new Http1Error("other", `unusable response: ${String(error)}`, { cause: error }));
      conn?.destroy();
      return;
    }
    this.settled = true;
    this.#resolve(response);
    if (complete) this.#finish();
  }

  #collected(): Uint8Array | null {
    const { chunks } = this;
    if (chunks.length === 0) {
      return this.responseHead!.bodyKind === "none" ? null : new Uint8Array();
    }
    if (chunks.length === 1) return chunks[0]!;
    const all = new Uint8Array(this.chunkBytes);
    let at = 0;
    for (const chunk of chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all;
  }

  #attach(writer: BodyWriter): void {
    if (this.finished && this.failure !== undefined) return writer.fail(this.failure);
    if (this.failure !== undefined) {
      writer.fail(this.failure);
      return this.#finish();
    }
    this.writer = writer;
    const queued = this.chunks;
    this.chunks = [];
    this.chunkBytes = 0;
    let wait: void | Promise<unknown> = undefined;
    for (const chunk of queued) wait = writer.write(chunk);
    if (this.ended) {
      writer.end();
      return this.#finish();
    }
    this.conn?.resumeReading();
    if (wait) this.conn?.waitFor(wait);
  }

  /** The reader went away mid-body: the connection cannot be reused. */
  #cancelled(): void {
    if (this.finished) return;
    const conn = this.conn;
    this.failure ??= new Http1Error("aborted", "response body cancelled");
    this.#finish();
    if (!this.ended) conn?.destroy();
  }

  #finish(): void {
    if (this.finished) return;
    this.finished = true;
    const onDone = this.#onDone;
    this.#onDone = undefined;
    onDone?.();
  }
}

/** One keep-alive connection to a backend, carrying one exchange at a time. */
class Connection implements SocketEvents {
  readonly address: string;
  readonly #client: Client;
  readonly #parser: ResponseParser;
  socket: ByteSocket | undefined;
  current: Exchange | undefined;
  closed = false;
  /** Sweeps since the last byte arrived (see Sweeper). */
  quiet = 0;
  /** Reading is held for a reader that is behind, which does not count as upstream silence. */
  paused = false;
  #reused = false;

  constructor(client: Client, address: string) {
    this.#client = client;
    this.address = address;
    this.#parser = new ResponseParser({
      head: (head) => {
        if (this.current) this.current.responseHead = head;
      },
      body: (chunk) => this.current?.body(chunk),
      end: () => this.#ended(),
    });
  }

  opened(socket: ByteSocket): void {
    this.socket = socket;
    if (this.closed) socket.destroy();
  }

  dialFailed(): void {
    this.closed = true;
    this.#client.forget(this);
  }

  assign(exchange: Exchange, reused: boolean): void {
    this.current = exchange;
    this.#reused = reused;
    exchange.conn = this;
    this.quiet = 0;
    this.#parser.expect(exchange.method);
    this.socket!.write(exchange.head);
  }

  /** Called by the sweeper when a body has been silent too long. */
  timeOut(): void {
    const exchange = this.current;
    if (!exchange) return;
    exchange.fail(new Http1Error("timeout", "upstream body idle for too long"));
    this.destroy();
  }

  waitFor(wait: Promise<unknown>): void {
    this.#hold();
    wait.then(() => this.resumeReading(), () => {});
  }

  pauseUntilRead(): void {
    this.#hold();
  }

  resumeReading(): void {
    if (!this.paused) return;
    this.paused = false;
    this.quiet = 0;
    this.socket?.resume();
  }

  destroy(): void {
    if (this.socket) this.socket.destroy();
    else this.closed = true;
  }

  data(chunk: Uint8Array): void {
    this.quiet = 0;
    const exchange = this.current;
    if (!exchange) return this.destroy(); // bytes nobody asked for
    try {
      this.#parser.push(chunk);
    } catch (error) {
      exchange.fail(new Http1Error("other", `bad response from ${this.address}: ${error}`));
      return this.destroy();
    }
    exchange.settle();
  }

  drain(): void {}

  close(error?: unknown): void {
    this.closed = true;
    this.#client.forget(this);
    const exchange = this.current;
    if (!exchange) return;
    if (exchange.finished && exchange.failure !== undefined) return void (this.current = undefined);
    const started = this.#parser.started;
    try {
      this.#parser.closed(); // ends a body delimited by the close
    } catch {
      // cut short: handled below
    }
    if (exchange.ended) return exchange.settle();
    this.current = undefined;
    if (this.#reused && !started && !exchange.resent && !exchange.finished) {
      // A kept-alive connection the backend closed just as the request went out: nothing was
      // answered, so it is sent again once, on a new connection (as Go's transport does).
      exchange.resent = true;
      return this.#client.dial(this.address, exchange);
    }
    exchange.fail(
      new Http1Error("reset", `${this.address} closed the connection mid-response`, {
        cause: error,
      }),
    );
  }

  #ended(): void {
    const exchange = this.current!;
    this.current = undefined;
    this.#reused = true;
    exchange.end();
    if (!this.closed && exchange.responseHead!.keepAlive) this.#client.release(this);
    else this.destroy();
  }

  #hold(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket?.pause();
  }
}

/** The response's headers with its framing made true to the body handed over. */
function framedHeaders(head: ResponseHead): [string, string][] {
  const { headers } = head;
  // The body reaches the client decoded, so Transfer-Encoding no longer describes it; a
  // collected one gets its Content-Length from the runtime.
  if (head.bodyKind !== "chunked") return headers;
  return headers.filter(([name]) =>
    !(name.length === 17 && name.toLowerCase() === "transfer-encoding")
  );
}

function splitAddress(address: string): { hostname: string; port: number } {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon);
  return {
    hostname: host.startsWith("[") ? host.slice(1, -1) : host,
    port: Number(address.slice(colon + 1)),
  };
}
