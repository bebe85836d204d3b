// Parses HTTP/1.1 responses from an upstream incrementally: bytes are pushed in as they arrive and
// come out as head, body and end events. Pure logic, so one parser serves the Deno and Bun clients.
import { type BodyKind, Http1ParseError, parseHead, type ResponseHead } from "./response_head.ts";

export { type BodyKind, Http1ParseError, type ResponseHead };

export interface ParserEvents {
  head(head: ResponseHead): void;
  /** A piece of the decoded body (chunked framing removed); a subarray of the pushed chunk. */
  body(chunk: Uint8Array): void;
  /** The response is complete. */
  end(): void;
}

const LF = 10;
const CR = 13;
const SP = 32;
const HTAB = 9;
const SEMICOLON = 59;

// Chunk sizes past this are a broken or hostile upstream, not a body worth waiting for.
const MAX_CHUNK_SIZE = 2 ** 40;

const IDLE = 0;
const HEAD = 1;
const LENGTH = 2;
const CLOSE = 3;
const CHUNK_SIZE = 4;
const CHUNK_SIZE_WS = 5;
const CHUNK_EXT = 6;
const CHUNK_SIZE_LF = 7;
const CHUNK_DATA = 8;
const CHUNK_DATA_CR = 9;
const CHUNK_DATA_LF = 10;
const TRAILER_LINE_START = 11;
const TRAILER_LINE = 12;
const TRAILER_END_LF = 13;
// After an error: the connection's byte stream can no longer be trusted.
const FAILED = 14;

export class ResponseParser {
  readonly #events: ParserEvents;
  readonly #maxHeadBytes: number;
  #state = IDLE;
  #headRequest = false;
  #started = false;
  // Head bytes kept only while a head spans pushes; #partialLine is how many of them belong to
  // its last, unfinished line.
  #pending = new Uint8Array(0);
  #pendingLength = 0;
  #partialLine = 0;
  // Bytes left in a Content-Length body or in the current chunk.
  #remaining = 0;
  #chunkDigits = 0;
  // Bytes of the current chunk-size line or of the trailer section, bounded like a head.
  #framingBytes = 0;

  constructor(events: ParserEvents, { maxHeadBytes = 65536 }: { maxHeadBytes?: number } = {}) {
    this.#events = events;
    this.#maxHeadBytes = maxHeadBytes;
  }

  /** True between expect() and the end event (false again once a parse error ends the response). */
  get busy(): boolean {
    return this.#state !== IDLE && this.#state !== FAILED;
  }

  /** True once any byte of the current response arrived. */
  get started(): boolean {
    return this.#started;
  }

  /** Starts a new response, to a request with this method (HEAD: no body whatever the headers say). */
  expect(method: string): void {
    if (this.#state === FAILED) {
      throw new Error(
        "Cannot expect a response: an earlier one failed to parse on this connection",
      );
    }
    if (this.#state !== IDLE) {
      throw new Error("Cannot expect a response: the previous one is not complete");
    }
    this.#state = HEAD;
    this.#headRequest = method === "HEAD";
    this.#started = false;
    this.#pendingLength = 0;
    this.#partialLine = 0;
  }

  /** Feeds bytes; throws Http1ParseError on malformed input or bytes after the response ended. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    if (this.#state === FAILED) {
      throw new Http1ParseError("Cannot parse response: the connection failed earlier");
    }
    if (this.#state === IDLE) {
      this.#state = FAILED;
      throw new Http1ParseError(`Cannot parse response: ${n} bytes arrived when none was expected`);
    }
    this.#started = true;
    try {
      let pos = 0;
      while (pos < n) pos = this.#step(chunk, pos);
    } catch (error) {
      this.#state = FAILED;
      throw error;
    }
  }

  /** The upstream closed the connection: ends a close-delimited body, fails an unfinished one. */
  closed(): void {
    if (this.#state === IDLE || this.#state === FAILED) return;
    if (this.#state === CLOSE) {
      this.#state = IDLE;
      this.#events.end();
      return;
    }
    this.#state = FAILED;
    throw new Http1ParseError("Connection closed before the response was complete");
  }

  // Consumes what the current state can from chunk[pos..] and returns the new position. Framing
  // bytes of a chunked body go one at a time (a few per chunk); body bytes go out as subarrays.
  #step(chunk: Uint8Array, pos: number): number {
    switch (this.#state) {
      case HEAD:
        return this.#readHead(chunk, pos);
      case LENGTH:
      case CHUNK_DATA:
        return this.#readData(chunk, pos);
      case CLOSE:
        this.#events.body(pos === 0 ? chunk : chunk.subarray(pos));
        return chunk.length;
      case TRAILER_LINE:
        return this.#skipTrailerLine(chunk, pos);
    }
    const byte = chunk[pos]!;
    switch (this.#state) {
      case CHUNK_SIZE: {
        const digit = hexValue(byte);
        if (digit >= 0) {
          this.#remaining = this.#remaining * 16 + digit;
          this.#chunkDigits++;
          if (this.#remaining > MAX_CHUNK_SIZE) {
            throw new Http1ParseError("Cannot parse chunked body: chunk size is over 2^40");
          }
        } else if (this.#chunkDigits === 0) {
          throw new Http1ParseError("Cannot parse chunked body: chunk size is not hexadecimal");
        } else if (byte === SEMICOLON) this.#state = CHUNK_EXT;
        else if (byte === SP || byte === HTAB) this.#state = CHUNK_SIZE_WS;
        else if (byte === CR) this.#state = CHUNK_SIZE_LF;
        else if (byte === LF) return this.#chunkSizeDone(pos + 1);
        else throw new Http1ParseError("Cannot parse chunked body: chunk size is not hexadecimal");
        break;
      }
      case CHUNK_SIZE_WS:
        if (byte === SEMICOLON) this.#state = CHUNK_EXT;
        else if (byte !== SP && byte !== HTAB) {
          throw new Http1ParseError("Cannot parse chunked body: space after chunk size");
        }
        break;
      case CHUNK_EXT:
        // Extensions are ignored, but a bare CR in one would let two parsers disagree on the line.
        if (byte === CR) this.#state = CHUNK_SIZE_LF;
        else if (byte === LF) return this.#chunkSizeDone(pos + 1);
        break;
      case CHUNK_SIZE_LF:
        if (byte !== LF) throw new Http1ParseError("Cannot parse chunked body: CR without LF");
        return this.#chunkSizeDone(pos + 1);
      case CHUNK_DATA_CR:
        if (byte === CR) this.#state = CHUNK_DATA_LF;
        else if (byte === LF) this.#startChunkSize();
        else throw new Http1ParseError("Cannot parse chunked body: missing CRLF after chunk data");
        return pos + 1;
      case CHUNK_DATA_LF:
        if (byte !== LF) {
          throw new Http1ParseError("Cannot parse chunked body: missing CRLF after chunk data");
        }
        this.#startChunkSize();
        return pos + 1;
      case TRAILER_LINE_START:
        if (byte === CR) this.#state = TRAILER_END_LF;
        else if (byte === LF) return this.#complete(chunk, pos + 1);
        else this.#state = TRAILER_LINE;
        break;
      case TRAILER_END_LF:
        if (byte !== LF) throw new Http1ParseError("Cannot parse chunked body: CR without LF");
        return this.#complete(chunk, pos + 1);
    }
    if (++this.#framingBytes > this.#maxHeadBytes) {
      throw new Http1ParseError(
        `Cannot parse chunked body: a chunk-size line or the trailers exceed ${this.#maxHeadBytes} bytes`,
      );
    }
    return pos + 1;
  }

  #readHead(chunk: Uint8Array, from: number): number {
    // Where the line being scanned began, relative to chunk: negative when it began in #pending.
    let lineStart = from - this.#partialLine;
    let lf = chunk.indexOf(LF, from);
    while (lf >= 0) {
      const length = lf - lineStart;
      if (length === 0 || (length === 1 && this.#byteAt(chunk, lineStart) === CR)) {
        return this.#headDone(chunk, from, lf + 1);
      }
      lineStart = lf + 1;
      lf = chunk.indexOf(LF, lineStart);
    }
    this.#checkHeadSize(this.#pendingLength + chunk.length - from);
    this.#append(chunk, from, chunk.length);
    this.#partialLine = chunk.length - lineStart;
    return chunk.length;
  }

  #headDone(chunk: Uint8Array, from: number, end: number): number {
    this.#checkHeadSize(this.#pendingLength + end - from);
    let bytes: Uint8Array;
    if (this.#pendingLength === 0) bytes = chunk.subarray(from, end);
    else {
      this.#append(chunk, from, end);
      bytes = this.#pending.subarray(0, this.#pendingLength);
      this.#pendingLength = 0;
      this.#partialLine = 0;
    }
    const head = parseHead(bytes, this.#headRequest);
    if (head === null) return end; // informational (1xx): the real head follows
    switch (head.bodyKind) {
      case "length":
        this.#state = LENGTH;
        this.#remaining = head.contentLength;
        break;
      case "chunked":
        this.#startChunkSize();
        break;
      case "close":
        this.#state = CLOSE;
        break;
    }
    this.#events.head(head);
    if (head.bodyKind === "none" || head.contentLength === 0) return this.#complete(chunk, end);
    return end;
  }

  #readData(chunk: Uint8Array, pos: number): number {
    const available = chunk.length - pos;
    if (this.#remaining > available) {
      this.#remaining -= available;
      this.#events.body(pos === 0 ? chunk : chunk.subarray(pos));
      return chunk.length;
    }
    const end = pos + this.#remaining;
    this.#remaining = 0;
    this.#events.body(chunk.subarray(pos, end));
    if (this.#state === LENGTH) return this.#complete(chunk, end);
    this.#state = CHUNK_DATA_CR;
    return end;
  }

  #chunkSizeDone(pos: number): number {
    this.#framingBytes = 0;
    if (this.#remaining === 0) this.#state = TRAILER_LINE_START;
    else this.#state = CHUNK_DATA;
    return pos;
  }

  #startChunkSize(): void {
    this.#state = CHUNK_SIZE;
    this.#remaining = 0;
    this.#chunkDigits = 0;
    this.#framingBytes = 0;
  }

  // Trailer fields are discarded, so a line is only searched for its end.
  #skipTrailerLine(chunk: Uint8Array, pos: number): number {
    const lf = chunk.indexOf(LF, pos);
    const end = lf < 0 ? chunk.length : lf + 1;
    this.#framingBytes += end - pos;
    if (this.#framingBytes > this.#maxHeadBytes) {
      throw new Http1ParseError(
        `Cannot parse chunked body: the trailers exceed ${this.#maxHeadBytes} bytes`,
      );
    }
    if (lf >= 0) this.#state = TRAILER_LINE_START;
    return end;
  }

  // No pipelining: the client sends one request at a time, so a byte past the end of a response
  // means the upstream and this parser disagree on framing. That fails the response rather than
  // ending it, so the connection never goes back to a pool.
  #complete(chunk: Uint8Array, end: number): number {
    if (end < chunk.length) {
      throw new Http1ParseError(
        `Cannot parse response: ${chunk.length - end} unexpected bytes follow its end`,
      );
    }
    this.#state = IDLE;
    this.#events.end();
    return end;
  }

  #byteAt(chunk: Uint8Array, index: number): number {
    return index >= 0 ? chunk[index]! : this.#pending[this.#pendingLength + index]!;
  }

  #checkHeadSize(size: number): void {
    if (size > this.#maxHeadBytes) {
      throw new Http1ParseError(
        `Cannot parse response: the head exceeds ${this.#maxHeadBytes} bytes`,
      );
    }
  }

  #append(chunk: Uint8Array, from: number, to: number): void {
    const length = this.#pendingLength + to - from;
    if (length > this.#pending.length) {
      const grown = new Uint8Array(Math.max(length, this.#pending.length * 2, 512));
      grown.set(this.#pending.subarray(0, this.#pendingLength));
      this.#pending = grown;
    }
    this.#pending.set(chunk.subarray(from, to), this.#pendingLength);
    this.#pendingLength = length;
  }
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  const lower = byte | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}
