// The head of an HTTP/1.1 response: status line and header fields, parsed from complete bytes,
// with the framing (RFC 9112 §6.3) and connection reuse they decide. ResponseParser finds the
// head's end and calls parseHead.

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

/** The upstream sent bytes that are not a valid response (or closed mid-response). */
export class Http1ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Http1ParseError";
  }
}

const CR = 13;
const SP = 32;
const HTAB = 9;

/**
 * Parses a complete head (status line through the empty line). Returns null for an informational
 * (1xx) response, which the caller skips.
 */
export function parseHead(bytes: Uint8Array, headRequest: boolean): ResponseHead | null {
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
  if (status < 200) {
    // 100 Continue and 103 Early Hints are skipped; no other 1xx is defined for a request that
    // asked for none, so anything else means the upstream speaks a protocol we do not.
    if (status === 100 || status === 103) return null;
    throw new Http1ParseError(`Cannot parse response: unexpected informational status ${status}`);
  }

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
  // A 204 may declare no length and no 204 or 304 a transfer coding (RFC 9110 §8.6, RFC 9112
  // §6.1): an upstream that does may send a body nobody reads, so its connection is not reused.
  if (bodyKind === "none" && !headRequest) {
    if (transferEncoding || (status === 204 && contentLength > 0)) keepAlive = false;
  }
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
