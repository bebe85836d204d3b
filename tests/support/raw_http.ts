// A tiny HTTP/1.1 client over a raw TCP socket: tests see the exact bytes and headers a client gets
// (fetch would decompress bodies and hide hop-by-hop headers), and can send malformed requests.

export interface RawResponse {
  status: number;
  /** Header names lower-cased, in arrival order. */
  headers: Array<[string, string]>;
  header(name: string): string | undefined;
  body: Uint8Array;
  text(): string;
}

import { concat, indexOf } from "./bytes.ts";

const encoder = new TextEncoder();

/** Sends `head` (request line + headers, CRLF-separated, without the blank line) and an optional body. */
export async function rawRequest(
  port: number,
  head: string,
  body?: Uint8Array,
  { timeoutMs = 10_000 } = {},
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    const request = head.endsWith("\r\n\r\n") ? head : head.replace(/\r?\n?$/, "") + "\r\n\r\n";
    await conn.write(encoder.encode(request));
    if (body) await conn.write(body);
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    let parsed: RawResponse | undefined;
    for (;;) {
      let n: number | null = null;
      try {
        n = await conn.read(buf);
      } catch {
        n = null;
      }
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      parsed = tryParse(concat(...chunks));
      if (parsed) break;
    }
    return parsed ?? tryParse(concat(...chunks), true) ?? failed(concat(...chunks));
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer or the peer */ }
  }
}

function failed(bytes: Uint8Array): never {
  throw new Error(
    `no complete HTTP response; got ${JSON.stringify(new TextDecoder().decode(bytes))}`,
  );
}

/** Parses a complete response, or returns undefined when more bytes are needed. */
function tryParse(bytes: Uint8Array, atEof = false): RawResponse | undefined {
  const end = indexOf(bytes, encoder.encode("\r\n\r\n"));
  if (end === -1) return undefined;
  const [statusLine, ...lines] = new TextDecoder().decode(bytes.subarray(0, end)).split("\r\n");
  const status = Number(statusLine!.split(" ")[1]);
  const headers = lines.map((l) => {
    const i = l.indexOf(":");
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as [string, string];
  });
  const get = (name: string) => headers.find(([k]) => k === name)?.[1];
  const rest = bytes.subarray(end + 4);
  let body: Uint8Array | undefined;
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) body = new Uint8Array();
  else if (get("transfer-encoding")?.toLowerCase().includes("chunked")) body = dechunk(rest);
  else if (get("content-length") !== undefined) {
    const length = Number(get("content-length"));
    if (rest.length >= length) body = rest.subarray(0, length);
  } else if (atEof) body = rest;
  if (!body) return undefined;
  const finalBody = body;
  return {
    status,
    headers,
    header: get,
    body: finalBody,
    text: () => new TextDecoder().decode(finalBody),
  };
}

function dechunk(data: Uint8Array): Uint8Array | undefined {
  const out: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = indexOf(data, encoder.encode("\r\n"), offset);
    if (lineEnd === -1) return undefined;
    const size = parseInt(new TextDecoder().decode(data.subarray(offset, lineEnd)), 16);
    if (Number.isNaN(size)) return undefined;
    offset = lineEnd + 2;
    if (size === 0) return concat(...out);
    if (data.length < offset + size + 2) return undefined;
    out.push(data.subarray(offset, offset + size));
    offset += size + 2;
  }
}
