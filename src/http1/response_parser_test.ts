import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { Http1ParseError, type ResponseHead, ResponseParser } from "./response_parser.ts";

// Bytes from a string of char codes 0–255, so tests can write raw latin1 bytes as "\xff".
function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function text(data: Uint8Array): string {
  return String.fromCharCode(...data);
}

/** A parser whose events are written down: "head", "body:<bytes>", "end". */
function recorder(options?: { maxHeadBytes?: number }) {
  const events: string[] = [];
  const heads: ResponseHead[] = [];
  const bodies: Uint8Array[] = [];
  const parser = new ResponseParser({
    head(head) {
      heads.push(head);
      events.push("head");
    },
    body(chunk) {
      bodies.push(chunk);
      events.push(`body:${text(chunk)}`);
    },
    end() {
      events.push("end");
    },
  }, options);
  return {
    parser,
    events,
    heads,
    /** The body bytes received, however they were cut. */
    body: () => bodies.map(text).join(""),
    /** The events with consecutive body pieces merged, which do not depend on the cuts. */
    shape: () =>
      events.reduce<string[]>((merged, event) => {
        const last = merged.at(-1);
        if (event.startsWith("body:") && last?.startsWith("body:")) {
          merged[merged.length - 1] += event.slice(5);
        } else merged.push(event);
        return merged;
      }, []),
  };
}

/** Expects one response to `method` and pushes `chunks` (strings of latin1 bytes) in order. */
function parse(chunks: string | string[], { method = "GET", maxHeadBytes = 65536 } = {}) {
  const r = recorder({ maxHeadBytes });
  r.parser.expect(method);
  for (const chunk of typeof chunks === "string" ? [chunks] : chunks) r.parser.push(bytes(chunk));
  return r;
}

function parseError(
  chunks: string | string[],
  options?: { method?: string; maxHeadBytes?: number },
) {
  return assertThrows(() => parse(chunks, options), Http1ParseError);
}

/** Every way to cut `message` in two, plus byte by byte. */
function cuts(message: string): string[][] {
  const all: string[][] = [];
  for (let at = 1; at < message.length; at++) all.push([message.slice(0, at), message.slice(at)]);
  all.push([...message]);
  return all;
}

const OK_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 44\r\n" +
  "Date: Mon, 01 Jan 2024 00:00:00 GMT\r\nX-Request-Id: 0123456789abcdef\r\n\r\n";
const OK_BODY = '{"ok":true,"message":"hello from upstream!!"}'.slice(0, 44);

Deno.test("ResponseParser.push() turns a response in one chunk into head, one body subarray, end", () => {
  const events: string[] = [];
  const bodies: Uint8Array[] = [];
  const parser = new ResponseParser({
    head: () => events.push("head"),
    body: (piece) => {
      bodies.push(piece);
      events.push("body");
    },
    end: () => events.push("end"),
  });
  const chunk = bytes(OK_HEAD + OK_BODY);
  parser.expect("GET");
  parser.push(chunk);
  assertEquals(events, ["head", "body", "end"]);
  assertEquals(bodies.length, 1);
  const body = bodies[0]!;
  assert(body.buffer === chunk.buffer, "the body is a view of the pushed chunk, not a copy");
  assertEquals(body.byteOffset, OK_HEAD.length);
  assertEquals(text(body), OK_BODY);
  assertEquals(parser.busy, false);
});

Deno.test("ResponseParser.push() reports the status, reason and headers as sent", () => {
  const r = parse(
    "HTTP/1.1 404 Not  Found\r\nX-Mixed-Case: a\r\nset-cookie: a=1\r\nSet-Cookie: b=2\r\n" +
      "X-Ows: \t padded value \t\r\nX-Empty:\r\nX-Inner:a  b\r\nContent-Length: 0\r\n\r\n",
  );
  assertEquals(r.heads, [{
    status: 404,
    statusText: "Not  Found",
    headers: [
      ["X-Mixed-Case", "a"],
      ["set-cookie", "a=1"],
      ["Set-Cookie", "b=2"],
      ["X-Ows", "padded value"],
      ["X-Empty", ""],
      ["X-Inner", "a  b"],
      ["Content-Length", "0"],
    ],
    bodyKind: "length",
    contentLength: 0,
    keepAlive: true,
  }]);
  assertEquals(r.events, ["head", "end"]);
});

Deno.test("ResponseParser.push() accepts a status line without a reason, with or without the space", () => {
  for (const line of ["HTTP/1.1 200 ", "HTTP/1.1 200", "HTTP/1.0 599 "]) {
    const r = parse(`${line}\r\nContent-Length: 0\r\n\r\n`);
    assertEquals(r.heads[0]?.statusText, "", line);
  }
  assertEquals(parse("HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n").heads[0]?.status, 999);
});

Deno.test("ResponseParser.push() rejects a status line that is not HTTP/1.x NNN", () => {
  for (
    const line of [
      "HTTP/2 200 OK",
      "HTTP/2.0 200 OK",
      "HTTP/1.1 2x0 OK",
      "HTTP/1.1 099 Low",
      "HTTP/1.1 1000 High",
      "HTTP/1.1 20 Short",
      "HTTP/1.1  200 OK",
      "HTTP/1.1 200\tOK",
      "http/1.1 200 OK",
      "HTTP/1.x 200 OK",
      "ICY 200 OK",
      "",
    ]
  ) {
    const error = parseError(`${line}\r\nContent-Length: 0\r\n\r\n`);
    assertStringIncludes(error.message, "status line", line);
  }
});

Deno.test("ResponseParser.push() skips 100 and 103 responses and reports the final one", () => {
  const final = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
  // In one chunk, one after another, and split inside an interim head.
  const oneChunk = parse(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\n\r\n${final}`);
  assertEquals(oneChunk.shape(), ["head", "body:hi", "end"]);
  assertEquals(oneChunk.heads[0]?.status, 200);
  const split = parse([
    "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n",
    "\r\n",
    "HTTP/1.1 103 Early Hints\r\nLink: </s.js>\r\n\r\nHTTP/1.1 200",
    " OK\r\nContent-Length: 2\r\n\r\nhi",
  ]);
  assertEquals(split.shape(), ["head", "body:hi", "end"]);
  assertEquals(split.heads[0]?.headers, [["Content-Length", "2"]]);
});

Deno.test("ResponseParser.push() rejects a 1xx other than 100, 101 and 103", () => {
  for (const status of [102, 104, 150, 199]) {
    const error = parseError(
      `HTTP/1.1 ${status} Odd\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n`,
    );
    assertStringIncludes(error.message, `informational status ${status}`);
  }
});

Deno.test("ResponseParser.push() does not keep a connection whose 204 or 304 declared a body", () => {
  const cases = [
    "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
    "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n",
    "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
  ];
  for (const response of cases) assertEquals(parse(response).heads[0]?.keepAlive, false, response);
  // What RFC 9110 allows keeps the connection: a 304's length is the representation's, and a
  // HEAD response says what a GET would have carried.
  const kept = [
    { method: "GET", response: "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n" },
    { method: "GET", response: "HTTP/1.1 204 No Content\r\n\r\n" },
    { method: "HEAD", response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" },
    { method: "HEAD", response: "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n" },
  ];
  for (const { method, response } of kept) {
    assertEquals(parse(response, { method }).heads[0]?.keepAlive, true, response);
  }
});

Deno.test("ResponseParser.push() rejects 101 Switching Protocols", () => {
  const error = parseError("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
  assertStringIncludes(error.message, "101");
});

Deno.test("ResponseParser.push() ends a HEAD, 204 or 304 response right after its head", () => {
  const cases = [
    { method: "HEAD", response: "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n" },
    { method: "HEAD", response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" },
    { method: "GET", response: "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n" },
    { method: "GET", response: "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n" },
    { method: "GET", response: "HTTP/1.1 304 Not Modified\r\n\r\n" },
  ];
  for (const { method, response } of cases) {
    const r = parse(response, { method });
    assertEquals(r.events, ["head", "end"], response);
    assertEquals(r.heads[0]?.bodyKind, "none");
    assertEquals(r.heads[0]?.contentLength, -1);
    assertEquals(r.parser.busy, false);
  }
});

Deno.test("ResponseParser.push() rejects a body after a HEAD response", () => {
  const error = parseError("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", { method: "HEAD" });
  assertStringIncludes(error.message, "5 unexpected bytes");
});

Deno.test("ResponseParser.push() reads a Content-Length body cut anywhere", () => {
  const message = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  for (const chunks of cuts(message)) {
    const r = parse(chunks);
    assertEquals(r.shape(), ["head", "body:hello", "end"], JSON.stringify(chunks));
    assertEquals(r.heads[0]?.contentLength, 5);
    assertEquals(r.heads[0]?.bodyKind, "length");
  }
});

Deno.test("ResponseParser.push() ends a Content-Length: 0 response right after its head", () => {
  const r = parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  assertEquals(r.events, ["head", "end"]);
});

Deno.test("ResponseParser.push() accepts repeated or listed Content-Length only when identical", () => {
  for (const fields of ["Content-Length: 3\r\nContent-Length: 3", "Content-Length: 3, 3,3"]) {
    const r = parse(`HTTP/1.1 200 OK\r\n${fields}\r\n\r\nabc`);
    assertEquals(r.shape(), ["head", "body:abc", "end"]);
    assertEquals(r.heads[0]?.contentLength, 3);
  }
  for (const fields of ["Content-Length: 3\r\nContent-Length: 4", "Content-Length: 3, 4"]) {
    const error = parseError(`HTTP/1.1 200 OK\r\n${fields}\r\n\r\nabc`);
    assertStringIncludes(error.message, "Content-Length");
  }
});

Deno.test("ResponseParser.push() rejects a Content-Length that is not digits", () => {
  for (const value of ["", "+5", "-1", "5 5", "0x5", "5.0", "1e3", "3,", "1234567890123456"]) {
    const error = parseError(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\n`);
    assertStringIncludes(error.message, "Content-Length", value);
  }
});

const CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
  '5\r\nhello\r\n1;name=value;x="q"\r\n,\r\nA \t;ext\r\n world!!!!\r\n0\r\nX-Trailer: t\r\n\r\n';

Deno.test("ResponseParser.push() decodes a chunked body, dropping extensions and trailers", () => {
  const r = parse(CHUNKED);
  assertEquals(r.events, ["head", "body:hello", "body:,", "body: world!!!!", "end"]);
  assertEquals(r.heads[0]?.bodyKind, "chunked");
  assertEquals(r.heads[0]?.contentLength, -1);
  assertEquals(r.heads[0]?.keepAlive, true);
});

Deno.test("ResponseParser.push() emits chunk data as subarrays of the pushed chunk", () => {
  const pieces: Uint8Array[] = [];
  const parser = new ResponseParser({ head() {}, body: (piece) => pieces.push(piece), end() {} });
  const chunk = bytes(CHUNKED);
  parser.expect("GET");
  parser.push(chunk);
  assertEquals(pieces.length, 3);
  for (const piece of pieces) assert(piece.buffer === chunk.buffer);
});

Deno.test("ResponseParser.push() decodes a chunked body cut at any byte", () => {
  for (const chunks of cuts(CHUNKED)) {
    const r = parse(chunks);
    assertEquals(r.shape(), ["head", "body:hello, world!!!!", "end"], JSON.stringify(chunks));
  }
});

Deno.test("ResponseParser.push() accepts chunked framing with bare LF line ends and no trailers", () => {
  const r = parse("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n");
  assertEquals(r.events, ["head", "body:abc", "end"]);
  const upper = parse(
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0C\r\n0123456789\r\n\r\n0\r\n\r\n",
  );
  assertEquals(upper.body(), "0123456789\r\n");
});

Deno.test("ResponseParser.push() rejects malformed chunked framing", () => {
  const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const cases: [string, string][] = [
    ["zz\r\n", "not hexadecimal"],
    ["\r\n", "not hexadecimal"],
    [";ext\r\n", "not hexadecimal"],
    ["-1\r\n", "not hexadecimal"],
    ["10000000001\r\n", "over 2^40"],
    ["3 4\r\nabc\r\n", "space after chunk size"],
    ["3\rx", "CR without LF"],
    ["3\r\nabcd\r\n", "missing CRLF after chunk data"],
    ["3\r\nabc\rX", "missing CRLF after chunk data"],
    ["0\r\n\rX", "CR without LF"],
  ];
  for (const [body, message] of cases) {
    const error = parseError(head + body);
    assertStringIncludes(error.message, message, JSON.stringify(body));
  }
  // A chunk of exactly 2^40 bytes is allowed (its data simply has not arrived).
  assertEquals(parse(`${head}10000000000\r\n`).events, ["head"]);
});

Deno.test("ResponseParser.push() bounds a chunk-size line and the trailers by maxHeadBytes", () => {
  const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const zeros = parseError([head, "0".repeat(200)], { maxHeadBytes: 100 });
  assertStringIncludes(zeros.message, "exceed 100 bytes");
  const trailers = parseError([head, "0\r\n", `X-T: ${"t".repeat(200)}\r\n`], {
    maxHeadBytes: 100,
  });
  assertStringIncludes(trailers.message, "exceed 100 bytes");
});

Deno.test("ResponseParser.push() reads a body as chunked when chunked is the last transfer coding", () => {
  for (const value of ["chunked", "CHUNKED", "gzip, chunked", "gzip,Chunked ,"]) {
    const r = parse(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${value}\r\n\r\n1\r\nx\r\n0\r\n\r\n`);
    assertEquals(r.heads[0]?.bodyKind, "chunked", value);
    assertEquals(r.shape(), ["head", "body:x", "end"]);
  }
  const split = parse(
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
  );
  assertEquals(split.heads[0]?.bodyKind, "chunked");
});

Deno.test("ResponseParser.push() prefers Transfer-Encoding over Content-Length, then closes", () => {
  const r = parse(
    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
  );
  assertEquals(r.shape(), ["head", "body:hi", "end"]);
  assertEquals(r.heads[0]?.bodyKind, "chunked");
  assertEquals(r.heads[0]?.contentLength, -1);
  assertEquals(r.heads[0]?.keepAlive, false);
});

Deno.test("ResponseParser.push() reads to the close when the last transfer coding is not chunked", () => {
  for (const value of ["gzip", "chunked, gzip"]) {
    const r = parse([
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: ${value}\r\nContent-Length: 1\r\n\r\nab`,
      "c",
    ]);
    assertEquals(r.heads[0]?.bodyKind, "close", value);
    assertEquals(r.heads[0]?.keepAlive, false);
    r.parser.closed();
    assertEquals(r.shape(), ["head", "body:abc", "end"]);
  }
});

Deno.test("ResponseParser.closed() ends a body that has neither length nor chunking", () => {
  const r = parse(["HTTP/1.1 200 OK\r\n\r\nsome", " bytes"]);
  assertEquals(r.heads[0]?.bodyKind, "close");
  assertEquals(r.heads[0]?.contentLength, -1);
  assertEquals(r.heads[0]?.keepAlive, false);
  assertEquals(r.events, ["head", "body:some", "body: bytes"]);
  assertEquals(r.parser.busy, true);
  r.parser.closed();
  assertEquals(r.events.at(-1), "end");
  assertEquals(r.parser.busy, false);
  r.parser.closed(); // idle now: nothing more happens
  assertEquals(r.events.length, 4);
});

Deno.test("ResponseParser.closed() fails a response cut short in its head or body", () => {
  const cuts = [
    [],
    ["HTTP/1.1 200 OK\r\nContent-Le"],
    ["HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"],
    ["HTTP/1.1 100 Continue\r\n\r\n"],
  ];
  for (const chunks of cuts) {
    const r = parse(chunks);
    const error = assertThrows(() => r.parser.closed(), Http1ParseError);
    assertStringIncludes(error.message, "closed before the response was complete");
    assertEquals(r.events.includes("end"), false);
  }
});

Deno.test("ResponseParser.closed() does nothing before expect() or after a complete response", () => {
  const r = recorder();
  r.parser.closed();
  r.parser.expect("GET");
  r.parser.push(bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"));
  r.parser.closed();
  assertEquals(r.events, ["head", "body:x", "end"]);
});

Deno.test("ResponseParser.push() rejects malformed header lines", () => {
  const cases: [string, string][] = [
    ["No colon here", "without a colon"],
    ["Name : value", "whitespace in a header name"],
    ["Name\t: value", "whitespace in a header name"],
    [": value", "empty header name"],
    ["Na(me: value", "invalid header name"],
    ["X-A: a\r\n  folded", "obsolete line folding"],
    ["\tX-A: a", "obsolete line folding"],
    ["X-A: a\rb", "CR not followed by LF"],
    ["X-A: a\0b", "NUL"],
  ];
  for (const [line, message] of cases) {
    const error = parseError(`HTTP/1.1 200 OK\r\n${line}\r\nContent-Length: 0\r\n\r\n`);
    assertStringIncludes(error.message, message, JSON.stringify(line));
  }
  const statusCr = parseError("HTTP/1.1 200 O\rK\r\n\r\n");
  assertStringIncludes(statusCr.message, "CR not followed by LF");
});

Deno.test("ResponseParser.push() accepts bare LF line ends in the head", () => {
  const r = parse("HTTP/1.1 200 OK\nA: 1\r\nB: 2\n\n");
  assertEquals(r.heads[0]?.headers, [["A", "1"], ["B", "2"]]);
  const mixed = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\n\r\nxy");
  assertEquals(mixed.shape(), ["head", "body:xy", "end"]);
});

Deno.test("ResponseParser.push() rejects a head over maxHeadBytes, whole or in pieces", () => {
  const head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"; // 38 bytes
  assertEquals(parse(head, { maxHeadBytes: head.length }).events, ["head", "end"]);
  assertEquals(parse([...head], { maxHeadBytes: head.length }).events, ["head", "end"]);
  for (const chunks of [[head], [...head], [head.slice(0, 20), head.slice(20)]]) {
    const error = parseError(chunks, { maxHeadBytes: head.length - 1 });
    assertStringIncludes(error.message, `head exceeds ${head.length - 1} bytes`);
  }
  // A head that never ends fails once it is too large, not when the connection closes.
  const endless = parseError(["HTTP/1.1 200 OK\r\n", `X: ${"x".repeat(100)}`], {
    maxHeadBytes: 64,
  });
  assertStringIncludes(endless.message, "head exceeds 64 bytes");
});

Deno.test("ResponseParser.push() decodes header bytes as latin1", () => {
  const r = parse(
    "HTTP/1.1 200 \xe9t\xe9\r\nX-Bytes: \x80\x9f\xa0\xff\r\nContent-Length: 0\r\n\r\n",
  );
  assertEquals(r.heads[0]?.statusText, "\u00e9t\u00e9");
  // 0xA0 is not OWS, so it stays even at the edge of the value.
  assertEquals(r.heads[0]?.headers[0], ["X-Bytes", "\u0080\u009f\u00a0\u00ff"]);
  const utf8 = parse("HTTP/1.1 200 OK\r\nX-Name: \xc3\xa9\r\nContent-Length: 0\r\n\r\n");
  assertEquals(utf8.heads[0]?.headers[0], ["X-Name", "\u00c3\u00a9"]);
});

Deno.test("ResponseParser.push() parses a head cut at any byte", () => {
  const message =
    "HTTP/1.1 201 Created\r\nLocation: /a\r\nX-Empty:\r\nContent-Length: 3\r\n\r\nabc";
  const whole = parse(message).heads[0];
  for (const chunks of cuts(message)) {
    const r = parse(chunks);
    assertEquals(r.heads, [whole], JSON.stringify(chunks));
    assertEquals(r.shape(), ["head", "body:abc", "end"]);
  }
});

Deno.test("ResponseParser.push() decides keepAlive from the version, Connection and framing", () => {
  const cases: [string, boolean][] = [
    ["HTTP/1.1 200 OK\r\nContent-Length: 0", true],
    ["HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0", false],
    ["HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 0", false],
    ["HTTP/1.1 200 OK\r\nConnection: upgrade\r\nConnection: close\r\nContent-Length: 0", false],
    ["HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0", true],
    ["HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 0", true],
    ["HTTP/1.0 200 OK\r\nContent-Length: 0", false],
    ["HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0", true],
    ["HTTP/1.0 200 OK\r\nconnection: foo, Keep-Alive\r\nContent-Length: 0", true],
    ["HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0", false],
    ["HTTP/1.1 200 OK\r\nConnection: keep-alive", false], // close-delimited
  ];
  for (const [head, keepAlive] of cases) {
    const r = parse(`${head}\r\n\r\n`);
    assertEquals(r.heads[0]?.keepAlive, keepAlive, head);
  }
});

Deno.test("ResponseParser.push() reads an HTTP/1.0 Transfer-Encoding body to the close", () => {
  const r = parse(
    "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n",
  );
  assertEquals(r.heads[0]?.bodyKind, "close");
  assertEquals(r.heads[0]?.keepAlive, false);
  r.parser.closed();
  assertEquals(r.shape(), ["head", "body:1\r\n", "end"]);
});

Deno.test("ResponseParser.push() rejects bytes when no response is expected", () => {
  const before = recorder();
  assertThrows(() => before.parser.push(bytes("HTTP/1.1 200 OK\r\n")), Http1ParseError);
  const after = parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  const error = assertThrows(() => after.parser.push(bytes("\r\n")), Http1ParseError);
  assertStringIncludes(error.message, "none was expected");
  after.parser.push(new Uint8Array(0)); // an empty push is no bytes at all
});

Deno.test("ResponseParser.push() fails rather than ends a response followed by more bytes", () => {
  const cases = [
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy",
    "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n\r\n",
  ];
  for (const message of cases) {
    const r = recorder();
    r.parser.expect("GET");
    const error = assertThrows(() => r.parser.push(bytes(message)), Http1ParseError);
    assertStringIncludes(error.message, "unexpected bytes follow its end");
    assertEquals(r.events.includes("end"), false, message);
    assertEquals(r.parser.busy, false);
  }
});

Deno.test("ResponseParser.push() fires end during the push that completes the body", () => {
  const r = recorder();
  r.parser.expect("GET");
  for (const chunk of ["HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab", "cd"]) {
    r.parser.push(bytes(chunk));
    r.events.push("returned");
  }
  assertEquals(r.events, ["head", "body:ab", "returned", "body:cd", "end", "returned"]);
  const chunked = recorder();
  chunked.parser.expect("GET");
  for (
    const chunk of ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r", "\n0\r\n\r\n"]
  ) {
    chunked.parser.push(bytes(chunk));
    chunked.events.push("returned");
  }
  assertEquals(chunked.events, ["head", "body:ab", "returned", "end", "returned"]);
});

Deno.test("ResponseParser tracks busy and started over a response's life", () => {
  const r = recorder();
  assertEquals([r.parser.busy, r.parser.started], [false, false]);
  r.parser.expect("GET");
  assertEquals([r.parser.busy, r.parser.started], [true, false]);
  r.parser.push(new Uint8Array(0));
  assertEquals(r.parser.started, false);
  r.parser.push(bytes("H"));
  assertEquals([r.parser.busy, r.parser.started], [true, true]);
  r.parser.push(bytes("TTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  assertEquals(r.parser.busy, false);
  r.parser.expect("GET");
  assertEquals([r.parser.busy, r.parser.started], [true, false]);
});

Deno.test("ResponseParser parses responses one after another on one connection", () => {
  const r = recorder();
  const responses = [
    ["GET", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"],
    ["HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n"],
    ["GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n"],
    ["GET", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc"],
  ];
  for (const [method, message] of responses) {
    r.parser.expect(method!);
    for (const chunk of [message!.slice(0, 20), message!.slice(20)]) r.parser.push(bytes(chunk));
  }
  assertEquals(r.events, [
    ...["head", "body:a", "end"],
    ...["head", "end"],
    ...["head", "body:b", "end"],
    ...["head", "body:c", "end"],
  ]);
});

Deno.test("ResponseParser refuses to go on after a parse error", () => {
  const r = recorder();
  r.parser.expect("GET");
  assertThrows(() => r.parser.push(bytes("HTTP/2 200 OK\r\n\r\n")), Http1ParseError);
  assertEquals(r.parser.busy, false);
  assertThrows(() => r.parser.push(bytes("HTTP/1.1 200 OK\r\n")), Http1ParseError);
  assertThrows(() => r.parser.expect("GET"), Error);
  r.parser.closed(); // nothing left to fail
});

Deno.test("ResponseParser.expect() refuses to start a response while one is in progress", () => {
  const r = recorder();
  r.parser.expect("GET");
  assertThrows(() => r.parser.expect("GET"), Error);
});
