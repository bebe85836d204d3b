// The HTTP/1.1 client's public shapes: options, the exchange it hands back, its errors.
import type { Dial, StreamBody } from "../runtime/types.ts";

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

/** A request body to send after the head, framed as the request's framing verdict said. */
export interface RequestBody {
  /** The client's body; read only once a connection is open, so a refused dial leaves it whole. */
  readonly stream: ReadableStream<Uint8Array>;
  /** Exactly this many bytes go out under Content-Length, or the body is sent chunked. */
  readonly length: number | "chunked";
}

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
   * (`host:port`), then `body` if given. `onDone` is called once when the body of a response
   * that was handed over ends in any way: delivered, failed or cancelled; never when the
   * exchange failed before its response (the promise's rejection says so).
   */
  request(
    address: string,
    method: string,
    path: string,
    headers: RequestHeaders,
    onDone?: () => void,
    tag?: string,
    body?: RequestBody,
  ): Http1Exchange;
  /** Open connections, busy and idle. */
  readonly connections: number;
  /** Closes every connection now. */
  close(): void;
}
