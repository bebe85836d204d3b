// podgate's own HTTP/1.1 client for upstream requests. It talks to the runtime's
// raw TCP sockets (Runtime.http1) instead of fetch: under Bun, fetch hands every request to a
// thread of its own and back, which costs more CPU than the rest of a small proxied request.
// Connections are kept alive per backend; a small body of known length is collected and handed
// over whole (its Content-Length kept), anything else is streamed with backpressure. A request
// body is sent after the head, one chunk at a time as the socket takes it (body_sender.ts).
import { Connection } from "./connection.ts";
import { Exchange } from "./exchange.ts";
import { requestHead } from "./request_head.ts";
import { Sweeper } from "./sweeper.ts";
import {
  type Http1Client,
  type Http1ClientOptions,
  Http1Error,
  type Http1Exchange,
  type RequestBody,
  type RequestHeaders,
} from "./types.ts";

export {
  type Http1Client,
  type Http1ClientOptions,
  Http1Error,
  type Http1ErrorKind,
  type Http1Exchange,
  type RequestBody,
  type RequestHeaders,
} from "./types.ts";

export function createHttp1Client(options: Http1ClientOptions): Http1Client {
  return new Client(options);
}

/** The pool: idle connections per backend, and the sweep over every connection. */
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
      // Nor can time the client takes to send its request body count against the backend.
      isWatched: (conn) =>
        conn.current?.responseHead !== undefined && !conn.paused && !conn.awaitingClient,
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
    body?: RequestBody,
  ): Http1Exchange {
    const head = requestHead(method, path, headers, address, body?.length);
    const exchange = new Exchange(this, method, head, onDone, tag, body);
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

function splitAddress(address: string): { hostname: string; port: number } {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon);
  return {
    hostname: host.startsWith("[") ? host.slice(1, -1) : host,
    port: Number(address.slice(colon + 1)),
  };
}
