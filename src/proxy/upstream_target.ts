// The request target podgate sends upstream, from the URL the runtime handed over: origin-form
// (path and query, no fragment), and only printable ASCII. Deno puts a request's raw non-ASCII
// characters into req.url decoded; written into a request head as they are, their low bytes can
// spell CR LF and a header of the client's choosing. Each such character is percent-encoded as
// its UTF-8 bytes instead, which is what a browser sends and what every backend decodes.

const PLAIN = /^[\x21-\x7e]*$/;
const encoder = new TextEncoder();

/**
 * Path and query of `url` for the upstream request line. `url` may be absolute
 * (`http://host/p?q`) or, as Bun hands it over for a request without a usable Host, relative
 * (`/p?q`); a fragment is dropped (RFC 9112 §3.2.1: origin-form has none).
 */
export function upstreamTarget(url: string): string {
  let start: number;
  if (url.startsWith("/")) start = 0;
  else {
    const scheme = url.indexOf("//");
    start = scheme === -1 ? -1 : url.indexOf("/", scheme + 2);
  }
  if (start === -1) return "/";
  const hash = url.indexOf("#", start);
  const target = hash === -1 ? (start === 0 ? url : url.slice(start)) : url.slice(start, hash);
  return PLAIN.test(target) ? target : encodeUnsafe(target);
}

function encodeUnsafe(target: string): string {
  let out = "";
  for (const char of target) {
    const code = char.codePointAt(0)!;
    if (code > 0x20 && code < 0x7f) out += char;
    else {for (const byte of encoder.encode(char)) {
        out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
      }}
  }
  return out;
}
