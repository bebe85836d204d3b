// The framing corpus: hostile requests and hostile backend responses, written as exact bytes over
// raw TCP, run against every way the proxy runs (Deno in-process, the Bun binary) with either
// upstream client. After every case a canary on a fresh client connection must get its own answer,
// and the backend (tests/support/logging_backend.ts, strict RFC 9112 framing) must never read a
// request line the client did not send. Each case also names what the client itself should get.
import { assert, assertEquals } from "@std/assert";
import type { StartProxy } from "./proxy_target.ts";
import { startLoggingBackend } from "./logging_backend.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** reject: every answer is 4xx/5xx, or the connection closes without one. ok: the first is 2xx. */
type Expect = "reject" | "ok" | "any";

export interface RequestCase {
  name: string;
  /** The exact bytes; `{p}` is replaced by the case's own path. */
  bytes: string;
  expect: Expect;
  /** Request lines ("METHOD target") the client sent as requests, beyond the first. */
  alsoSent?: string[];
  /** Complete answers to wait for (pipelined cases); 1 by default. */
  answers?: number;
  /** The body the backend must have been sent, when the case is forwarded (checked by echo). */
}

const head = (...lines: string[]) => lines.join("\r\n") + "\r\n\r\n";
const get = (...fields: string[]) => head("GET {p} HTTP/1.1", "Host: corpus", ...fields);
const post = (...fields: string[]) => head("POST {p} HTTP/1.1", "Host: corpus", ...fields);
// A request a desynced backend would read out of a body: it must never reach the backend.
const SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: corpus\r\n\r\n";
const chunk = (s: string) => `${s.length.toString(16)}\r\n${s}\r\n`;

export const requestCases: RequestCase[] = [
  // Content-Length and Transfer-Encoding together (CL.TE / TE.CL).
  {
    name: "CL then TE",
    bytes: post("Content-Length: 6", "Transfer-Encoding: chunked") + "0\r\n\r\nX",
    expect: "reject",
  },
  {
    name: "TE then CL",
    bytes: post("Transfer-Encoding: chunked", "Content-Length: 4") + "5c\r\n" + SMUGGLED +
      "\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "CL.TE classic: CL covers a smuggled request",
    bytes: post("Content-Length: " + (5 + SMUGGLED.length), "Transfer-Encoding: chunked") +
      "0\r\n\r\n" + SMUGGLED,
    expect: "reject",
  },
  {
    name: "CL 0 and TE chunked",
    bytes: post("Content-Length: 0", "Transfer-Encoding: chunked") + "0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "TE with a leading space and CL",
    bytes: post("Transfer-Encoding:  chunked", "Content-Length: 3") + "abc",
    expect: "reject",
  },
  {
    name: "TE 'chunked ' with trailing space, CL",
    bytes: post("Transfer-Encoding: chunked ", "Content-Length: 3") + "abc",
    expect: "reject",
  },
  {
    name: "TE with a tab before the value, CL",
    bytes: post("Transfer-Encoding:\tchunked", "Content-Length: 3") + "abc",
    expect: "reject",
  },
  {
    name: "TE xchunked",
    bytes: post("Transfer-Encoding: xchunked", "Content-Length: 3") + "abc",
    expect: "reject",
  },
  {
    name: "TE chunk",
    bytes: post("Transfer-Encoding: chunk") + "3\r\nabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "TE chunked, identity",
    bytes: post("Transfer-Encoding: chunked, identity") + "3\r\nabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "TE identity, chunked",
    bytes: post("Transfer-Encoding: identity, chunked") + "3\r\nabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "TE gzip, chunked",
    bytes: post("Transfer-Encoding: gzip, chunked") + "3\r\nabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  { name: "TE gzip alone", bytes: post("Transfer-Encoding: gzip") + "abc", expect: "reject" },
  {
    name: "TE identity alone",
    bytes: post("Transfer-Encoding: identity", "Content-Length: 3") + "abc",
    expect: "reject",
  },
  {
    name: "TE chunked twice",
    bytes: post("Transfer-Encoding: chunked", "Transfer-Encoding: chunked") +
      "3\r\nabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "TE chunked and TE identity",
    bytes: post("Transfer-Encoding: chunked", "Transfer-Encoding: identity") +
      "3\r\nabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "TE with a space before the colon",
    bytes: post("Transfer-Encoding : chunked", "Content-Length: 3") + "abc",
    expect: "reject",
  },
  {
    name: "TE with a NUL",
    bytes: post("Transfer-Encoding: chunked\0", "Content-Length: 3") + "abc",
    expect: "reject",
  },
  {
    name: "TE with a vertical tab",
    bytes: post("Transfer-Encoding:\x0bchunked", "Content-Length: 3") + "abc",
    expect: "reject",
  },
  {
    name: "TE chunked;q=1",
    bytes: post("Transfer-Encoding: chunked;q=1") + "3\r\nabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "TE by obs-fold",
    bytes: post("Transfer-Encoding:", " chunked", "Content-Length: 3") + "abc",
    expect: "reject",
  },
  {
    name: "obs-fold continuing another field into TE",
    bytes: post("X-A: a", " Transfer-Encoding: chunked", "Content-Length: 3") + "abc",
    expect: "reject",
  },
  {
    name: "TE on HTTP/1.0",
    bytes: head("POST {p} HTTP/1.0", "Host: corpus", "Transfer-Encoding: chunked") +
      "3\r\nabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "Transfer_Encoding is not TE: CL frames",
    bytes: post("Transfer_Encoding: chunked", "Content-Length: 3") + "abc",
    expect: "any",
  },
  {
    name: "TE Chunked (case) frames a body",
    bytes: post("Transfer-Encoding: Chunked") + chunk("abc") + "0\r\n\r\n",
    expect: "ok",
  },
  {
    name: "TE CHUNKED frames a body",
    bytes: post("Transfer-Encoding: CHUNKED") + chunk("abc") + "0\r\n\r\n",
    expect: "ok",
  },

  // Content-Length forms.
  {
    name: "two equal CL",
    bytes: post("Content-Length: 3", "Content-Length: 3") + "abc",
    expect: "reject",
  },
  {
    name: "two differing CL",
    bytes: post("Content-Length: 3", "Content-Length: 4") + "abcd",
    expect: "reject",
  },
  { name: "CL as a list 3, 3", bytes: post("Content-Length: 3, 3") + "abc", expect: "reject" },
  { name: "CL +3", bytes: post("Content-Length: +3") + "abc", expect: "reject" },
  { name: "CL -1", bytes: post("Content-Length: -1") + "abc", expect: "reject" },
  { name: "CL 0x3", bytes: post("Content-Length: 0x3") + "abc", expect: "reject" },
  { name: "CL 3a", bytes: post("Content-Length: 3a") + "abc", expect: "reject" },
  { name: "CL 1e1", bytes: post("Content-Length: 1e1") + "abcdefghij", expect: "reject" },
  { name: "CL empty", bytes: post("Content-Length: ") + "abc", expect: "reject" },
  { name: "CL 3.0", bytes: post("Content-Length: 3.0") + "abc", expect: "reject" },
  {
    name: "CL 20 digits",
    bytes: post("Content-Length: 99999999999999999999") + "abc",
    expect: "reject",
  },
  {
    name: "CL with a space before the colon",
    bytes: post("Content-Length : 3") + "abc",
    expect: "reject",
  },
  { name: "CL by obs-fold", bytes: post("Content-Length:", " 3") + "abc", expect: "reject" },
  { name: "CL with a NUL", bytes: post("Content-Length: 3\0") + "abc", expect: "reject" },
  { name: "CL 003 is a 3-byte body", bytes: post("Content-Length: 003") + "abc", expect: "ok" },
  { name: "CL with surrounding spaces", bytes: post("Content-Length:  3  ") + "abc", expect: "ok" },
  {
    name: "CL body shorter than CL, then the client stops",
    bytes: post("Content-Length: 10") + "abc",
    expect: "any",
  },
  {
    name: "CL smaller than the body: the rest is the next request",
    bytes: post("Content-Length: 3") + "abc" + SMUGGLED.replace("/smuggled", "{p}-next"),
    expect: "ok",
    alsoSent: ["GET {p}-next"],
    answers: 2,
  },
  {
    name: "pipelined POST then GET",
    bytes: post("Content-Length: 3") + "abc" + get().replace("{p}", "{p}-2"),
    expect: "ok",
    alsoSent: ["GET {p}-2"],
    answers: 2,
  },

  // Bodies on methods that define none, and methods with bodies.
  {
    name: "GET with CL 10 and a body, then a pipelined GET (the reported desync)",
    bytes: get("Content-Length: 10") + "xxxxxxxxxx" + get().replace("{p}", "{p}-after"),
    expect: "reject",
    alsoSent: ["GET {p}-after"],
  },
  {
    name: "GET with a CL body holding a smuggled request",
    bytes: get("Content-Length: " + SMUGGLED.length) + SMUGGLED,
    expect: "reject",
  },
  {
    name: "GET with a chunked body",
    bytes: get("Transfer-Encoding: chunked") + chunk(SMUGGLED) + "0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "HEAD with a CL body",
    bytes: head("HEAD {p} HTTP/1.1", "Host: corpus", "Content-Length: " + SMUGGLED.length) +
      SMUGGLED,
    expect: "reject",
  },
  { name: "GET with CL 0", bytes: get("Content-Length: 0"), expect: "ok" },
  {
    name: "DELETE with a CL body is forwarded with it",
    bytes: head("DELETE {p} HTTP/1.1", "Host: corpus", "Content-Length: " + SMUGGLED.length) +
      SMUGGLED,
    expect: "ok",
  },
  {
    name: "OPTIONS with a chunked body",
    bytes: head("OPTIONS {p} HTTP/1.1", "Host: corpus", "Transfer-Encoding: chunked") +
      chunk(SMUGGLED) + "0\r\n\r\n",
    expect: "ok",
  },
  {
    name: "PUT chunked with extensions and trailers",
    bytes: head("PUT {p} HTTP/1.1", "Host: corpus", "Transfer-Encoding: chunked") +
      "3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n",
    // Valid (RFC 9112 §7.1.2), but Bun.serve refuses trailer fields with 400.
    expect: "any",
  },
  {
    name: "POST without a length: no body; what follows is a request",
    bytes: post() + SMUGGLED.replace("/smuggled", "{p}-follow"),
    expect: "ok",
    alsoSent: ["GET {p}-follow"],
    answers: 2,
  },
  { name: "POST with CL 0", bytes: post("Content-Length: 0"), expect: "ok" },
  {
    name: "PATCH chunked holding a smuggled request",
    bytes: head("PATCH {p} HTTP/1.1", "Host: corpus", "Transfer-Encoding: chunked") +
      chunk(SMUGGLED) + "0\r\n\r\n",
    expect: "ok",
  },

  // Chunked encoding.
  {
    name: "chunk size zz",
    bytes: post("Transfer-Encoding: chunked") + "zz\r\nabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "chunk size 0x3",
    bytes: post("Transfer-Encoding: chunked") + "0x3\r\nabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "chunk size -3",
    bytes: post("Transfer-Encoding: chunked") + "-3\r\nabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "chunk size overflowing 64 bits",
    bytes: post("Transfer-Encoding: chunked") + "ffffffffffffffffff3\r\nabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "chunk data longer than its size",
    bytes: post("Transfer-Encoding: chunked") + "3\r\nabcdef\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "chunk data without its CRLF",
    bytes: post("Transfer-Encoding: chunked") + "3\r\nabc0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "LF-only chunk lines",
    bytes: post("Transfer-Encoding: chunked") + "3\nabc\n0\n\n",
    // Bun.serve: 400 and a close; Deno.serve waits for a CRLF that never comes (nothing is
    // forwarded; the client's connection just hangs until a timeout ends it).
    expect: "any",
  },
  {
    name: "chunk size with a trailing space",
    bytes: post("Transfer-Encoding: chunked") + "3 \r\nabc\r\n0\r\n\r\n",
    expect: "any",
  },
  {
    name: "chunk size with a bare CR",
    bytes: post("Transfer-Encoding: chunked") + "3\rabc\r\n0\r\n\r\n",
    expect: "reject",
  },
  {
    name: "no last chunk before the client stops",
    bytes: post("Transfer-Encoding: chunked") + chunk("abc"),
    expect: "any",
  },
  {
    name: "a smuggled request after the last chunk is the next request",
    bytes: post("Transfer-Encoding: chunked") + "0\r\n\r\n" +
      SMUGGLED.replace("/smuggled", "{p}-next"),
    expect: "ok",
    alsoSent: ["GET {p}-next"],
    answers: 2,
  },

  // Field and line syntax.
  { name: "NUL in a field value", bytes: get("X-A: a\0b"), expect: "reject" },
  { name: "bare CR in a field value", bytes: get("X-A: a\rb"), expect: "reject" },
  {
    name: "bare CR ending a field line",
    bytes: "GET {p} HTTP/1.1\r\nHost: corpus\rX-A: b\r\n\r\n",
    expect: "reject",
  },
  { name: "a field line without a colon", bytes: get("X-A b"), expect: "reject" },
  { name: "a space inside a field name", bytes: get("X A: b"), expect: "reject" },
  { name: "an empty field name", bytes: get(": b"), expect: "reject" },
  {
    name: "two Host fields",
    bytes: head("GET {p} HTTP/1.1", "Host: a", "Host: b"),
    expect: "reject",
  },
  // RFC 9112 §3.2: 400 for a Host whose value is not host[:port]; a backend would find another
  // host in it than the one routes matched.
  {
    name: "a space inside the Host",
    bytes: head("GET {p} HTTP/1.1", "Host: a b"),
    expect: "reject",
  },
  { name: "a slash in the Host", bytes: head("GET {p} HTTP/1.1", "Host: a/b"), expect: "reject" },
  {
    name: "userinfo in the Host",
    bytes: head("GET {p} HTTP/1.1", "Host: evil@corpus"),
    expect: "reject",
  },
  {
    name: "a bad port in the Host",
    bytes: head("GET {p} HTTP/1.1", "Host: corpus:8o"),
    expect: "reject",
  },
  // An empty Host is what a client sends for a target without authority (RFC 9110 §7.2).
  { name: "an empty Host", bytes: head("GET {p} HTTP/1.1", "Host:"), expect: "ok" },
  {
    name: "request line with two spaces",
    bytes: head("GET  {p} HTTP/1.1", "Host: corpus"),
    expect: "reject",
  },
  {
    name: "request line ending in a bare CR",
    bytes: "GET {p} HTTP/1.1\rHost: corpus\r\n\r\n",
    expect: "reject",
  },
  { name: "HTTP/1.2", bytes: head("GET {p} HTTP/1.2", "Host: corpus"), expect: "any" },
  {
    name: "HTTP/2.0 on an HTTP/1 connection",
    bytes: head("GET {p} HTTP/2.0", "Host: corpus"),
    expect: "reject",
  },
  {
    name: "a lower-case method",
    bytes: head("get {p} HTTP/1.1", "Host: corpus"),
    expect: "any",
    // A method is case-sensitive; fetch upper-cases the standard ones (the Fetch standard's rule).
    alsoSent: ["GET {p}"],
  },
  {
    name: "a NUL in the target",
    bytes: head("GET {p}\0x HTTP/1.1", "Host: corpus"),
    expect: "reject",
  },
  {
    name: "an absolute-form target",
    bytes: head("GET http://elsewhere{p} HTTP/1.1", "Host: corpus"),
    expect: "any",
  },
  {
    name: "Connection: Content-Length drops no framing field",
    bytes: post("Connection: Content-Length", "Content-Length: " + SMUGGLED.length) + SMUGGLED,
    expect: "ok",
  },
  {
    name: "Connection: Transfer-Encoding drops no framing field",
    bytes: post("Connection: Transfer-Encoding", "Transfer-Encoding: chunked") + chunk(SMUGGLED) +
      "0\r\n\r\n",
    expect: "ok",
  },
  {
    name: "Expect: 100-continue with a body",
    bytes: post("Expect: 100-continue", "Content-Length: 3") + "abc",
    expect: "ok",
  },
  {
    name: "Upgrade: h2c on a POST",
    bytes: post(
      "Connection: Upgrade, HTTP2-Settings",
      "Upgrade: h2c",
      "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA",
      "Content-Length: 3",
    ) + "abc",
    expect: "any",
  },
];

export interface ResponseCase {
  name: string;
  /** The exact bytes the backend writes; the connection then stays open. */
  bytes: string;
  method?: "GET" | "HEAD";
  /** The client gets an error (5xx or a cut), or this exact body. */
  body?: string;
  /** A body the runtime's fetch may frame instead, where its parser decides (see the README). */
  fetchBody?: string[];
  expect: "error" | "body" | "error-or-body";
}

// Bytes a poisoned connection would hand to the next request: no later client may ever see them.
const POISON = "HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\npoisoned";

export const responseCases: ResponseCase[] = [
  {
    name: "bytes beyond Content-Length",
    bytes: "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello" + POISON,
    body: "hello",
    expect: "error-or-body",
  },
  {
    name: "both Content-Length and Transfer-Encoding",
    bytes:
      "HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" +
      POISON,
    expect: "error",
    // Bun's fetch lets TE win (RFC 9112 §6.3), Deno's lets CL win; neither reuses the connection.
    fetchBody: ["hello", "hel"],
  },
  {
    name: "two differing Content-Length",
    bytes: "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!" + POISON,
    expect: "error",
  },
  {
    name: "Content-Length abc",
    bytes: "HTTP/1.1 200 OK\r\ncontent-length: abc\r\n\r\nhello" + POISON,
    expect: "error",
  },
  {
    name: "a bad chunk size",
    bytes: "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" + POISON,
    expect: "error",
  },
  {
    name: "chunk data longer than its size",
    bytes: "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n" + POISON,
    expect: "error-or-body",
    body: "hel",
  },
  {
    name: "bytes after the last chunk",
    bytes: "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + POISON,
    body: "hello",
    expect: "error-or-body",
  },
  {
    name: "a status line with a word for a code",
    bytes: "HTTP/1.1 abc OK\r\ncontent-length: 5\r\n\r\nhello" + POISON,
    expect: "error",
  },
  {
    name: "a status line with a two-digit code",
    bytes: "HTTP/1.1 20 OK\r\ncontent-length: 5\r\n\r\nhello" + POISON,
    expect: "error",
  },
  {
    name: "a status line in another protocol",
    bytes: "HTTX/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello" + POISON,
    expect: "error",
  },
  {
    name: "102 Processing before the answer",
    bytes: "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello",
    body: "hello",
    expect: "error-or-body",
  },
  {
    name: "100 Continue before the answer",
    bytes: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello",
    body: "hello",
    expect: "body",
  },
  {
    name: "103 Early Hints before the answer",
    bytes:
      "HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello",
    body: "hello",
    expect: "body",
  },
  {
    name: "a body on a HEAD response",
    method: "HEAD",
    bytes: "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello" + POISON,
    body: "",
    expect: "error-or-body",
  },
  {
    name: "a body on 204",
    bytes: "HTTP/1.1 204 No Content\r\n\r\n" + POISON,
    body: "",
    expect: "error-or-body",
  },
  {
    name: "a body on 204 with Content-Length",
    bytes: "HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\nhello" + POISON,
    body: "",
    expect: "error-or-body",
  },
  {
    name: "a body on 304",
    bytes: "HTTP/1.1 304 Not Modified\r\n\r\n" + POISON,
    body: "",
    expect: "error-or-body",
  },
  {
    name: "a NUL in a header value",
    bytes: "HTTP/1.1 200 OK\r\nx-a: a\0b\r\ncontent-length: 5\r\n\r\nhello" + POISON,
    body: "hello",
    expect: "error-or-body",
  },
  {
    name: "obs-fold in a response header",
    bytes: "HTTP/1.1 200 OK\r\nx-a: a\r\n b\r\ncontent-length: 5\r\n\r\nhello" + POISON,
    body: "hello",
    expect: "error-or-body",
  },
  {
    name: "a space before a response header's colon",
    bytes: "HTTP/1.1 200 OK\r\ncontent-length : 5\r\n\r\nhello" + POISON,
    expect: "error",
  },
  {
    name: "Content-Length larger than what comes",
    bytes: "HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\nhello",
    expect: "error",
  },
];

interface Answer {
  status: number;
  body: string;
  complete: boolean;
}

/** Reads answers off one connection: until it closes, `count` complete ones arrived, or idle. */
async function readAnswers(
  conn: Deno.Conn,
  count: number,
  idleMs: number,
): Promise<{ answers: Answer[]; closed: boolean }> {
  let text = "";
  let closed = false;
  const parse = (): Answer[] => {
    const out: Answer[] = [];
    let rest = text;
    while (rest.length > 0) {
      const end = rest.indexOf("\r\n\r\n");
      if (end < 0) break;
      const headText = rest.slice(0, end);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headText)?.[1] ?? 0);
      const length = /\r\ncontent-length: *(\d+)/i.exec(headText)?.[1];
      const chunked = /\r\ntransfer-encoding: *chunked/i.test(headText);
      let body = rest.slice(end + 4);
      if (status >= 100 && status < 200) {
        rest = body;
        continue;
      }
      if (length !== undefined) {
        const n = Number(length);
        const complete = body.length >= n;
        out.push({ status, body: body.slice(0, n), complete });
        rest = body.slice(n);
        continue;
      }
      if (chunked) {
        let decoded = "";
        let complete = false;
        for (;;) {
          const line = body.indexOf("\r\n");
          if (line < 0) break;
          const size = parseInt(body.slice(0, line), 16);
          if (Number.isNaN(size)) break;
          if (size === 0) {
            const trailerEnd = body.indexOf("\r\n\r\n", line - 2);
            if (trailerEnd < 0) break;
            body = body.slice(trailerEnd + 4);
            complete = true;
            break;
          }
          if (body.length < line + 2 + size + 2) break;
          decoded += body.slice(line + 2, line + 2 + size);
          body = body.slice(line + 2 + size + 2);
        }
        out.push({ status, body: decoded, complete });
        rest = complete ? body : "";
        continue;
      }
      // No framing: the body runs to the close (or there is none: 204/304/HEAD are not read here).
      out.push({ status, body, complete: closed });
      rest = "";
    }
    return out;
  };
  const buf = new Uint8Array(64 * 1024);
  for (;;) {
    const done = parse();
    if (done.filter((a) => a.complete).length >= count) return { answers: done, closed };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<"idle">((
      resolve,
    ) => (timer = setTimeout(() => resolve("idle"), idleMs)));
    const n = await Promise.race([conn.read(buf).catch(() => null), idle]);
    clearTimeout(timer);
    if (n === "idle") return { answers: parse(), closed };
    if (n === null) {
      closed = true;
      return { answers: parse(), closed };
    }
    text += decoder.decode(buf.subarray(0, n), { stream: true });
  }
}

export async function exchange(
  port: number,
  bytes: string,
  { count = 1, idleMs = 1500 } = {},
): Promise<{ answers: Answer[]; closed: boolean }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(encoder.encode(bytes)).catch(() => {});
    return await readAnswers(conn, count, idleMs);
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

/** "METHOD target" of the first request in `bytes`, an absolute-form target as origin-form. */
function requestLine(bytes: string): string {
  const m = /^([A-Za-z]+) (\S+)/.exec(bytes);
  return m ? `${m[1]} ${m[2]!.replace(/^http:\/\/[^/]+/, "")}` : "";
}

export interface CorpusQuirks {
  /** Bun.serve closes a connection with pipelined requests unanswered when the handler is async. */
  pipelineClosed?: boolean;
}

/** The corpus as Deno tests, against the proxy `start` launches. */
export function framingCorpus(label: string, start: StartProxy, quirks: CorpusQuirks = {}): void {
  const cases = requestCases;
  Deno.test({
    name:
      `[${label}] framing corpus: ${cases.length} hostile requests, each followed by a canary; the backend reads no request line a client did not send`,
    ...opts,
    async fn() {
      const backend = startLoggingBackend();
      const proxy = await start({
        PODGATE_DISCOVERY: "static",
        PODGATE_BACKENDS: backend.address,
      });
      const allowed = new Set<string>();
      const verdicts: string[] = [];
      const problems: string[] = [];
      try {
        for (const [i, c] of cases.entries()) {
          const path = `/c${i}`;
          const bytes = c.bytes.replaceAll("{p}", path);
          allowed.add(requestLine(bytes));
          for (const line of c.alsoSent ?? []) allowed.add(line.replaceAll("{p}", path));
          const { answers, closed } = await exchange(proxy.port, bytes, { count: c.answers ?? 1 });
          const statuses = answers.map((a) => a.status);
          verdicts.push(`${c.name}: ${statuses.join(",") || "-"}${closed ? " close" : ""}`);
          const refused = statuses.length > 0 ? statuses.every((s) => s >= 400) : closed;
          if (c.expect === "reject" && !refused) {
            problems.push(`${c.name}: expected a refusal, got ${statuses.join(",")}`);
          }
          if (c.expect === "reject" && statuses.length > 1) {
            problems.push(`${c.name}: a refused connection answered again: ${statuses.join(",")}`);
          }
          const unanswered = quirks.pipelineClosed && (c.answers ?? 1) > 1 && closed &&
            statuses.length === 0;
          if (unanswered) verdicts.push(`${c.name}: closed unanswered (Bun.serve pipelining)`);
          else if (c.expect === "ok" && !(statuses[0]! >= 200 && statuses[0]! < 300)) {
            problems.push(`${c.name}: expected 2xx, got ${statuses.join(",") || "nothing"}`);
          }
          if (!unanswered && c.expect === "ok" && (c.answers ?? 1) !== statuses.length) {
            problems.push(`${c.name}: expected ${c.answers ?? 1} answers, got ${statuses.length}`);
          }
          // Each answer is the one to its own request, in order (the backend echoes the line).
          const own = [
            requestLine(bytes),
            ...(c.alsoSent ?? []).map((l: string) => l.replaceAll("{p}", path)),
          ];
          for (const [k, a] of answers.entries()) {
            if (a.status === 200 && a.body.toUpperCase() !== own[k]?.toUpperCase()) {
              problems.push(
                `${c.name}: answer ${k + 1} was ${JSON.stringify(a.body)}, not ${own[k]}`,
              );
            }
          }
          // The canary: a fresh client connection gets its own answer, whatever came before.
          for (const n of [1, 2]) {
            const canary = `/canary-${i}-${n}`;
            allowed.add(`GET ${canary}`);
            const got = await exchange(proxy.port, head(`GET ${canary} HTTP/1.1`, "Host: corpus"));
            const answer = got.answers[0];
            if (answer?.status !== 200 || answer.body !== `GET ${canary}`) {
              problems.push(
                `${c.name}: the canary got ${answer?.status} ${JSON.stringify(answer?.body)}`,
              );
            }
          }
        }
        const foreign = backend.lines.filter((l) => !allowed.has(l));
        console.log(`figures: ${verdicts.join(" | ")}`);
        console.log(
          `figures: backend read ${backend.lines.length} request lines, ${foreign.length} not sent by a client`,
        );
        // Both at once: a desync usually shows in both lists.
        assertEquals({ foreign, problems }, { foreign: [], problems: [] });
        assert(!backend.lines.some((l) => l.includes("/smuggled")));
      } finally {
        await proxy.stop();
        await backend.close();
      }
    },
  });

  Deno.test({
    name:
      `[${label}] framing corpus: ${responseCases.length} hostile responses; no later client sees a byte of them`,
    ...opts,
    async fn() {
      const backend = startLoggingBackend();
      const proxy = await start({
        PODGATE_DISCOVERY: "static",
        PODGATE_BACKENDS: backend.address,
        PODGATE_RETRY__ATTEMPTS: "1",
      });
      const verdicts: string[] = [];
      const problems: string[] = [];
      try {
        for (const [i, c] of responseCases.entries()) {
          const path = `/r${i}`;
          backend.respond(path, c.bytes);
          const method = c.method ?? "GET";
          const { answers, closed } = await exchange(
            proxy.port,
            head(`${method} ${path} HTTP/1.1`, "Host: corpus"),
            { idleMs: 2500 },
          );
          const a = answers[0];
          verdicts.push(
            `${c.name}: ${a ? `${a.status}${a.complete ? "" : " cut"}` : "-"}${
              closed ? " close" : ""
            }`,
          );
          const isError = !a || a.status >= 500 || !a.complete;
          const hasBody = !!a && a.status < 500 && a.complete && a.body === (c.body ?? "");
          const fetchFramed = c.fetchBody !== undefined && label.includes("fetch") && !!a &&
            a.complete && c.fetchBody.includes(a.body);
          const fine = fetchFramed ||
            (c.expect === "error" ? isError : c.expect === "body" ? hasBody : isError || hasBody);
          if (!fine) {
            problems.push(
              `${c.name}: got ${a?.status} ${JSON.stringify(a?.body)}${
                a?.complete ? "" : " (cut)"
              }`,
            );
          }
          if (answers.some((x) => x.body.includes("poisoned"))) {
            problems.push(`${c.name}: the poison reached its client`);
          }
          for (const n of [1, 2]) {
            const canary = `/canary-${i}-${n}`;
            const got = await exchange(proxy.port, head(`GET ${canary} HTTP/1.1`, "Host: corpus"));
            const answer = got.answers[0];
            if (answer?.status !== 200 || answer.body !== `GET ${canary}`) {
              problems.push(
                `${c.name}: the canary got ${answer?.status} ${JSON.stringify(answer?.body)}`,
              );
            }
          }
        }
        console.log(`figures: ${verdicts.join(" | ")}`);
        assertEquals(problems, []);
      } finally {
        await proxy.stop();
        await backend.close();
      }
    },
  });
}
