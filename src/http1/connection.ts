// One keep-alive connection to a backend: it writes an exchange's head and body, feeds the bytes
// that come back through the response parser to that exchange, and goes back to its client's pool
// (or closes) when the response ends. A connection whose request body was not all sent is closed,
// never pooled: the backend would read the next request as the rest of that body.
import type { ByteSocket, SocketEvents } from "../runtime/types.ts";
import { type BodyTarget, sendBody } from "./body_sender.ts";
import type { Exchange, ExchangeConnection } from "./exchange.ts";
import { ResponseParser } from "./response_parser.ts";
import { Http1Error } from "./types.ts";

/** What a connection needs from its client's pool. */
export interface ConnectionHost {
  /** The response ended and the connection may carry another. */
  release(conn: Connection): void;
  /** The connection closed. */
  forget(conn: Connection): void;
  /** Opens a new connection for `exchange` (a resend). */
  dial(address: string, exchange: Exchange): void;
}

/** One keep-alive connection to a backend, carrying one exchange at a time. */
export class Connection implements SocketEvents, ExchangeConnection {
  readonly address: string;
  readonly #client: ConnectionHost;
  readonly #parser: ResponseParser;
  socket: ByteSocket | undefined;
  current: Exchange | undefined;
  closed = false;
  /** Sweeps since the last byte arrived (see Sweeper). */
  quiet = 0;
  /** Reading is held for a reader that is behind, which does not count as upstream silence. */
  paused = false;
  /** The request body's sender waits for the client: upstream silence is not the backend's. */
  awaitingClient = false;
  #reused = false;
  #drained: (() => void) | undefined;

  constructor(client: ConnectionHost, address: string) {
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
    if (exchange.requestBody) this.#sendBody(exchange);
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

  drain(): void {
    const drained = this.#drained;
    this.#drained = undefined;
    drained?.();
  }

  close(error?: unknown): void {
    this.closed = true;
    this.drain(); // a body sender waiting for drain sees the close
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
    if (
      this.#reused && !started && !exchange.resent && !exchange.finished &&
      !exchange.requestBody
    ) {
      // A kept-alive connection the backend closed just as the request went out: nothing was
      // answered, so it is sent again once, on a new connection (as Go's transport does). Not
      // with a body: part of it was read from the client and is gone.
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
    const bodySent = !exchange.requestBody || exchange.bodySent;
    if (!this.closed && exchange.responseHead!.keepAlive && bodySent) this.#client.release(this);
    else this.destroy();
  }

  /** Streams the exchange's request body; a failure fails the exchange and closes. */
  #sendBody(exchange: Exchange): void {
    const stopped = () => this.closed || this.current !== exchange;
    const target: BodyTarget = {
      write: (data) => this.socket!.write(data),
      drained: () => new Promise<void>((resolve) => this.#drained = resolve),
      get stopped() {
        return stopped();
      },
      waiting: (on) => {
        this.awaitingClient = on;
        if (!on) this.quiet = 0;
      },
      sent: () => void (exchange.bodySent = true),
    };
    sendBody(exchange.requestBody!, target).catch((error) => {
      if (target.stopped) return;
      exchange.fail(error);
      this.destroy();
    });
  }

  #hold(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket?.pause();
  }
}
