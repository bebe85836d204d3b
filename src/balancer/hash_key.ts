// Where the consistent-hash key of a request comes from: a header, a cookie or the client IP.
// Written in config as `client-ip`, `header:NAME` or `cookie:NAME`.
import type { PickContext } from "./strategy.ts";

export type HashKeySource =
  | { readonly from: "client-ip" }
  | { readonly from: "header" | "cookie"; readonly name: string };

/** The accepted text forms; header and cookie names are HTTP tokens. */
export const HASH_KEY_PATTERN = /^(client-ip|(header|cookie):[!#$%&'*+.^_`|~0-9A-Za-z-]+)$/;

/** Reads `client-ip`, `header:X-User` or `cookie:session`. */
export function parseHashKey(text: string): HashKeySource {
  if (!HASH_KEY_PATTERN.test(text)) {
    throw new RangeError(
      `Cannot use hash key "${text}": expected client-ip, header:NAME or cookie:NAME`,
    );
  }
  if (text === "client-ip") return { from: "client-ip" };
  const colon = text.indexOf(":");
  return { from: text.slice(0, colon) as "header" | "cookie", name: text.slice(colon + 1) };
}

/**
 * The request's key. A request without the header or cookie falls back to its client IP, so a
 * client keeps some stickiness before it has a session; undefined when there is nothing at all.
 */
export function hashKey(source: HashKeySource, context: PickContext = {}): string | undefined {
  const { request, clientIp } = context;
  let key: string | undefined;
  if (source.from === "header") key = request?.headers.get(source.name) ?? undefined;
  if (source.from === "cookie") key = cookie(request?.headers.get("cookie"), source.name);
  return key || clientIp || undefined;
}

function cookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
