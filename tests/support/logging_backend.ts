// A backend over raw TCP that frames requests strictly by RFC 9112 (Content-Length or chunked,
// whatever the method) and logs every request line it reads, so a test can see a request line
// that no client sent: the mark of a desync between the proxy and its backend. It answers
// `200` with the request line as the body, or, for a path registered with `respond`, writes the
// exact bytes given and keeps the connection open (a later request on it would read leftovers).

export interface LoggingBackend {
  readonly port: number;
  readonly address: string;
  /** Request lines as "METHOD target", in arrival order; unreadable input as "!unparseable …". */
  readonly lines: string[];
  /** Requests whose body ended early (the proxy gave up on them): "METHOD target". */
  readonly cuts: string[];
  /** For requests to `path`, write exactly `bytes` instead of the normal answer. */
  respond(path: string, bytes: string | Uint8Array): void;
  close(): Promise<void>;
}

import { serveConnections } from "./accept_loop.ts";
import { indexOf } from "./bytes.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CRLF2 = encoder.encode("\r\n\r\n");

/** Buffered reads off one connection. */
class Reader {
  #buf = new Uint8Array(0);
  constructor(private conn: Deno.Conn) {}

  async #more(): Promise<boolean> {
    const chunk = new Uint8Array(16 * 1024);
    const n = await this.conn.read(chunk).catch(() => null);
    if (n === null) return false;
    const next = new Uint8Array(this.#buf.length + n);
    next.set(this.#buf);
    next.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = next;
    return true;
  }

  get buffered(): number {
    return this.#buf.length;
  }

  /** Bytes up to and including `needle`, or null at the end of the stream / past `max`. */
  async until(needle: Uint8Array, max = 64 * 1024): Promise<Uint8Array | null> {
    for (;;) {
      const at = indexOf(this.#buf, needle);
      if (at >= 0) return this.take(at + needle.length);
      if (this.#buf.length > max || !(await this.#more())) return null;
    }
  }

  async exactly(n: number): Promise<Uint8Array | null> {
    while (this.#buf.length < n) if (!(await this.#more())) return null;
    return this.take(n);
  }

  take(n: number): Uint8Array {
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }

  rest(): string {
    return decoder.decode(this.#buf);
  }
}

const LINE = encoder.encode("\r\n");

/** Reads a chunked body strictly: false when it is not well formed, "cut" at an early end. */
async function readChunked(r: Reader): Promise<boolean | "cut"> {
  for (;;) {
    const sizeLine = await r.until(LINE, 1024);
    if (!sizeLine) return r.buffered > 1024 ? false : "cut";
    const m = /^([0-9a-fA-F]{1,8})(;[^\r\n]*)?\r\n$/.exec(decoder.decode(sizeLine));
    if (!m) return false;
    const size = parseInt(m[1]!, 16);
    if (size === 0) {
      // Trailer fields, then the empty line.
      for (;;) {
        const line = await r.until(LINE, 8192);
        if (!line) return "cut";
        if (line.length === 2) return true;
      }
    }
    const data = await r.exactly(size + 2);
    if (!data) return "cut";
    if (data[size] !== 13 || data[size + 1] !== 10) return false;
  }
}

async function serve(
  conn: Deno.Conn,
  lines: string[],
  cuts: string[],
  responses: Map<string, Uint8Array>,
): Promise<void> {
  const r = new Reader(conn);
  try {
    for (;;) {
      const head = await r.until(CRLF2);
      if (!head) {
        if (r.buffered > 0) lines.push(`!unparseable ${JSON.stringify(r.rest().slice(0, 80))}`);
        return;
      }
      const [requestLine = "", ...fields] = decoder.decode(head).slice(0, -4).split("\r\n");
      const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
      if (!m) {
        lines.push(`!unparseable ${JSON.stringify(requestLine.slice(0, 80))}`);
        return;
      }
      lines.push(`${m[1]} ${m[2]}`);
      let length: number | undefined;
      let chunked = false;
      for (const field of fields) {
        const colon = field.indexOf(":");
        const name = field.slice(0, colon).toLowerCase();
        const value = field.slice(colon + 1).trim();
        if (colon <= 0 || /\s/.test(field.slice(0, colon))) {
          lines.push(`!unparseable field ${JSON.stringify(field.slice(0, 80))}`);
          return;
        }
        if (name === "content-length") {
          if (!/^\d+$/.test(value) || length !== undefined) {
            lines.push(`!unparseable content-length ${JSON.stringify(value)}`);
            return;
          }
          length = Number(value);
        } else if (name === "transfer-encoding") {
          if (value.toLowerCase() !== "chunked" || chunked || length !== undefined) {
            lines.push(`!unparseable transfer-encoding ${JSON.stringify(value)}`);
            return;
          }
          chunked = true;
        }
      }
      if (chunked && length !== undefined) {
        lines.push("!unparseable content-length and transfer-encoding");
        return;
      }
      const body = chunked ? await readChunked(r) : length ? await r.exactly(length) : true;
      if (body === "cut" || body === null) {
        cuts.push(`${m[1]} ${m[2]}`); // the sender went away mid-body: no desync, nothing answered
        return;
      }
      if (body === false) {
        lines.push(`!unparseable body of ${m[1]} ${m[2]}`);
        return;
      }
      const raw = responses.get(m[2]!.split("?")[0]!);
      if (raw) {
        await conn.write(raw);
        continue;
      }
      const echo = encoder.encode(`${m[1]} ${m[2]}`);
      await conn.write(encoder.encode(
        `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${echo.length}\r\n\r\n`,
      ));
      if (m[1] !== "HEAD") await conn.write(echo);
    }
  } catch {
    // the proxy went away (serveConnections closes the connection when this returns)
  }
}

export function startLoggingBackend(): LoggingBackend {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const lines: string[] = [];
  const cuts: string[] = [];
  const responses = new Map<string, Uint8Array>();
  const served = serveConnections(listener, (conn) => serve(conn, lines, cuts, responses));
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    lines,
    cuts,
    respond(path, bytes) {
      responses.set(path, typeof bytes === "string" ? encoder.encode(bytes) : bytes);
    },
    close: () => served.close(),
  };
}
