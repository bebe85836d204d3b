// One request and its response as the client tracks them: the head to send, the response head
// once it arrives, a body collected whole or streamed to a writer, and one onDone at the end.
import type { BodyWriter } from "../runtime/types.ts";
import type { ResponseHead } from "./response_parser.ts";
import {
  type Http1ClientOptions,
  Http1Error,
  type Http1Exchange,
  type RequestBody,
} from "./types.ts";

/** What an exchange needs from its client. */
export interface ExchangeHost {
  readonly options: Http1ClientOptions;
  readonly bufferBodyBytes: number;
}

/** What an exchange asks of the connection carrying it (see Connection). */
export interface ExchangeConnection {
  /** Closes the connection now. */
  destroy(): void;
  /** Holds reading until `wait` settles: the body's reader is behind. */
  waitFor(wait: Promise<unknown>): void;
  /** Holds reading until resumeReading(). */
  pauseUntilRead(): void;
  resumeReading(): void;
}

/** One request and its response. */
export class Exchange implements Http1Exchange {
  readonly response: Promise<Response>;
  readonly method: string;
  readonly head: string | Uint8Array;
  readonly tag: string | undefined;
  /** The body to send after the head, if any. */
  readonly requestBody: RequestBody | undefined;
  /** Every byte of requestBody has been handed to the socket. */
  bodySent = false;
  readonly #client: ExchangeHost;
  #resolve!: (response: Response) => void;
  #reject!: (error: unknown) => void;
  #onDone: (() => void) | undefined;
  conn: ExchangeConnection | undefined;
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
    client: ExchangeHost,
    method: string,
    head: string | Uint8Array,
    onDone: (() => void) | undefined,
    tag: string | undefined,
    requestBody?: RequestBody,
  ) {
    this.#client = client;
    this.method = method;
    this.head = head;
    this.tag = tag;
    this.requestBody = requestBody;
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
      // No response was handed over: the caller learns of the end from the rejection, and
      // onDone (which ends a response's body) is not called.
      this.settled = true;
      this.#onDone = undefined;
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
    if (this.failure !== undefined) {
      writer.fail(this.failure);
      return this.#finish(); // once only: a cancelled or failed exchange has finished already
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
