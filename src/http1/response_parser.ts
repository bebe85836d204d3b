// Parses HTTP/1.1 responses from an upstream incrementally: bytes are pushed in as they arrive and
// come out as head, body and end events. Pure logic, so one parser serves the Deno and Bun clients.

export type BodyKind = "none" | "length" | "chunked" | "close";

export interface ResponseHead {
  status: number;
  statusText: string;
  /** Header lines in arrival order, names as sent (not lowercased), values trimmed of OWS. */
  headers: [string, string][];
  /** How the body is framed (RFC 9112 §6.3). */
  bodyKind: BodyKind;
  /** Body length for "length", else -1. */
  contentLength: number;
  /**
   * The connection may carry another request after this response (HTTP/1.1 without
   * Connection: close, and not a close-delimited body; HTTP/1.0 only with Connection: keep-alive).
   */
  keepAlive: boolean;
}

export interface ParserEvents {
  head(head: ResponseHead): void;
  /** A piece of the decoded body (chunked framing removed); a subarray of the pushed chunk. */
  body(chunk: Uint8Array): void;
  /** The response is complete. */
  end(): void;
}

/** The upstream sent bytes that are not a valid response (or closed mid-response). */
export class Http1ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Http1ParseError";
  }
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

/**
 * Parses a complete head (status line through the empty line). Returns null for an informational
 * (1xx) response, which the caller skips.
 */
function parseHead(bytes: Uint8Array, headRequest: boolean): ResponseHead | null {
  const text = latin1(bytes);
  if (text.indexOf("\0") >= 0) throw new Http1ParseError("Cannot parse response head: NUL byte");
  // A CR anywhere but before an LF would let parsers disagree on where lines end.
  let cr = text.indexOf("\r");
  let lf = text.indexOf("\n");
  let contentEnd = lf > 0 && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
  if (cr >= 0 && cr < contentEnd) throw bareCr();
  if (cr === contentEnd) cr = text.indexOf("\r", lf + 1);

  const { status, http10 } = parseStatusLine(text, contentEnd);
  if (status === 101) {
    throw new Http1ParseError("Cannot parse response: 101 Switching Protocols was not asked for");
  }
  const statusText = contentEnd > 12 ? text.slice(13, contentEnd) : "";

  const headers: [string, string][] = [];
  let contentLength = -1;
  let transferEncoding = false;
  let lastCoding = "";
  let connectionClose = false;
  let connectionKeepAlive = false;
  for (let start = lf + 1;; start = lf + 1) {
    lf = text.indexOf("\n", start); // always found: the head ends with an empty line
    contentEnd = lf > start && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
    if (cr >= 0 && cr < contentEnd) throw bareCr();
    if (cr === contentEnd && contentEnd < lf) cr = text.indexOf("\r", lf + 1);
    if (contentEnd === start) break;

    const first = text.charCodeAt(start);
    if (first === SP || first === HTAB) {
      throw new Http1ParseError("Cannot parse response head: obsolete line folding");
    }
    const colon = text.indexOf(":", start);
    if (colon < 0 || colon >= contentEnd) {
      throw new Http1ParseError("Cannot parse response head: header line without a colon");
    }
    checkFieldName(text, start, colon);
    let valueStart = colon + 1;
    let valueEnd = contentEnd;
    while (valueStart < valueEnd && isOws(text.charCodeAt(valueStart))) valueStart++;
    while (valueEnd > valueStart && isOws(text.charCodeAt(valueEnd - 1))) valueEnd--;
    const name = text.slice(start, colon);
    const value = text.slice(valueStart, valueEnd);
    headers.push([name, value]);

    // Only the three names that decide framing and reuse are compared, by length first.
    const nameLength = colon - start;
    if (nameLength === 10 && equalsLowercase(text, start, "connection")) {
      const tokens = value.toLowerCase();
      if (tokens === "keep-alive") connectionKeepAlive = true;
      else if (tokens === "close") connectionClose = true;
      else {
        for (const token of tokens.split(",")) {
          const trimmed = token.trim();
          if (trimmed === "close") connectionClose = true;
          else if (trimmed === "keep-alive") connectionKeepAlive = true;
        }
      }
    } else if (nameLength === 14 && equalsLowercase(text, start, "content-length")) {
      const length = parseContentLength(value);
      if (contentLength >= 0 && length !== contentLength) {
        throw new Http1ParseError("Cannot parse response head: differing Content-Length values");
      }
      contentLength = length;
    } else if (nameLength === 17 && equalsLowercase(text, start, "transfer-encoding")) {
      transferEncoding = true;
      const codings = value.split(",");
      for (let i = codings.length - 1; i >= 0; i--) {
        const coding = codings[i]!.trim();
        if (coding !== "") {
          lastCoding = coding.toLowerCase();
          break;
        }
      }
    }
  }
  if (status < 200) return null;

  let keepAlive = http10 ? connectionKeepAlive && !connectionClose : !connectionClose;
  // Both framings at once is how request smuggling starts: trust Transfer-Encoding for this
  // response, but not the connection after it (RFC 9112 §6.3 point 3). HTTP/1.0 has no
  // Transfer-Encoding, so its framing is faulty and only the close ends it (§6.1).
  if (transferEncoding && (contentLength >= 0 || http10)) keepAlive = false;
  let bodyKind: BodyKind;
  if (headRequest || status === 204 || status === 304) bodyKind = "none";
  else if (transferEncoding) bodyKind = lastCoding === "chunked" && !http10 ? "chunked" : "close";
  else if (contentLength >= 0) bodyKind = "length";
  else bodyKind = "close";
  if (bodyKind === "close") keepAlive = false;
  return {
    status,
    statusText,
    headers,
    bodyKind,
    contentLength: bodyKind === "length" ? contentLength : -1,
    keepAlive,
  };
}

// `HTTP/1.x NNN reason`, where the reason (and the space before it) may be missing.
function parseStatusLine(text: string, end: number): { status: number; http10: boolean } {
  const minor = text.charCodeAt(7) - 48;
  const status = digit(text, 9) * 100 + digit(text, 10) * 10 + digit(text, 11);
  if (
    end < 12 || !text.startsWith("HTTP/1.") || minor < 0 || minor > 9 ||
    text.charCodeAt(8) !== SP || !(status >= 100) || (end > 12 && text.charCodeAt(12) !== SP)
  ) {
    const line = JSON.stringify(text.slice(0, Math.min(end, 64)));
    throw new Http1ParseError(`Cannot parse response: invalid status line ${line}`);
  }
  return { status, http10: minor === 0 };
}

// NaN for a non-digit, so a status built from it fails every comparison.
function digit(text: string, index: number): number {
  const value = text.charCodeAt(index) - 48;
  return value >= 0 && value <= 9 ? value : NaN;
}

// Digits only; a list (or repeated field) is fine when every value is the same (RFC 9110 §8.6).
function parseContentLength(value: string): number {
  let length = parseDigits(value);
  if (length >= 0) return length;
  if (value.indexOf(",") >= 0) {
    for (const member of value.split(",")) {
      const next = parseDigits(member.trim());
      if (next < 0 || (length >= 0 && next !== length)) {
        throw new Http1ParseError(
          `Cannot parse response head: invalid Content-Length ${JSON.stringify(value)}`,
        );
      }
      length = next;
    }
    return length;
  }
  throw new Http1ParseError(
    `Cannot parse response head: invalid Content-Length ${JSON.stringify(value)}`,
  );
}

// Up to 15 digits, so the result is an exact integer; -1 for anything else.
function parseDigits(text: string): number {
  if (text.length === 0 || text.length > 15) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

// RFC 9110 tchar: what a field name may be made of.
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[c.charCodeAt(0)] = 1;
}

function checkFieldName(text: string, start: number, end: number): void {
  if (start === end) throw new Http1ParseError("Cannot parse response head: empty header name");
  for (let i = start; i < end; i++) {
    if (TCHAR[text.charCodeAt(i)] !== 1) {
      const c = text.charCodeAt(i);
      throw new Http1ParseError(
        c === SP || c === HTAB
          ? "Cannot parse response head: whitespace in a header name"
          : `Cannot parse response head: invalid header name ${
            JSON.stringify(text.slice(start, end))
          }`,
      );
    }
  }
}

// `lower` is lowercase letters and '-'; the text was checked to be tchars, among which only
// letters change under `| 0x20` into a letter or '-'.
function equalsLowercase(text: string, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    if ((text.charCodeAt(start + i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

function isOws(c: number): boolean {
  return c === SP || c === HTAB;
}

function bareCr(): Http1ParseError {
  return new Http1ParseError("Cannot parse response head: CR not followed by LF");
}

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

// Header bytes are latin1: byte N is U+00NN. A pure-ASCII head decodes the same as UTF-8, and the
// native decoder is several times faster than building the string from char codes; any other byte
// either shortens the string (a multi-byte sequence) or shows up as U+FFFD, which sends it the
// slow, exact way. (TextDecoder("latin1") is windows-1252, wrong for 0x80–0x9F.)
function latin1(bytes: Uint8Array): string {
  const text = utf8.decode(bytes);
  if (text.length === bytes.length && text.indexOf("\uFFFD") < 0) return text;
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    const piece = bytes.subarray(i, i + 8192);
    out += String.fromCharCode.apply(null, piece as unknown as number[]);
  }
  return out;
}
