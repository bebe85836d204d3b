// The head of an HTTP/1.1 request, as one string (bytes when it is not ASCII), with the framing
// fields of the body that follows it, or none.
import type { RequestHeaders } from "./types.ts";

// Methods whose content has a meaning: without a body they say so (RFC 9110 §8.6).
const DECLARES_EMPTY_BODY = new Set(["POST", "PUT", "PATCH"]);

// deno-lint-ignore no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/**
 * `method path HTTP/1.1`, then Host (the backend's `address` unless the headers carry one),
 * then every header; names as given, a list value as repeated fields. The framing fields are
 * podgate's, from `body` (the verdict's Content-Length or chunked), never the client's. Header
 * values are ByteStrings (code points up to 0xFF), so a head that is not ASCII is encoded byte
 * for byte (latin1), never as UTF-8, which would change them.
 */
export function requestHead(
  method: string,
  path: string,
  headers: RequestHeaders,
  address: string,
  body?: number | "chunked",
): string | Uint8Array {
  let head = method + " " + path + " HTTP/1.1\r\n";
  if (!("host" in headers)) head += "host: " + address + "\r\n";
  for (const name in headers) {
    // Framing fields are added below from the verdict: copied, they could promise a body
    // that never follows.
    if (name === "content-length" || name === "transfer-encoding") continue;
    const value = headers[name]!;
    if (typeof value === "string") head += name + ": " + value + "\r\n";
    else for (const item of value) head += name + ": " + item + "\r\n";
  }
  if (body === "chunked") head += "transfer-encoding: chunked\r\n";
  else if (body !== undefined) head += "content-length: " + body + "\r\n";
  else if (DECLARES_EMPTY_BODY.has(method)) head += "content-length: 0\r\n";
  head += "\r\n";
  return ASCII.test(head) ? head : latin1(head);
}

function latin1(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
