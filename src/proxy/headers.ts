// Header rewriting at the proxy boundary: hop-by-hop headers never cross it (RFC 9110 §7.6.1),
// in either direction, and the upstream learns who the client was through X-Forwarded-*.

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

const HOP_BY_HOP_LENGTHS = new Set([...HOP_BY_HOP].map((name) => name.length));

const NO_NAMES: readonly string[] = Object.freeze([]);

/** The header names a Connection header lists: they are hop-by-hop too. */
function connectionTokens(value: unknown): readonly string[] {
  if (typeof value !== "string" || value === "") return NO_NAMES;
  const names: string[] = [];
  for (const token of value.split(",")) {
    const name = token.trim().toLowerCase();
    if (name) names.push(name);
  }
  return names;
}

/**
 * Deletes hop-by-hop headers from `headers` itself. With `present`, a plain-object copy of them
 * (Runtime.headerRecord), names are looked up there: one native call instead of ten `has` calls,
 * and a delete only for a name that is there.
 */
export function stripHopByHop(headers: Headers, present?: Record<string, unknown>): void {
  const connection = present ? present.connection : headers.get("connection");
  for (const name of HOP_BY_HOP) {
    if (present ? name in present : headers.has(name)) headers.delete(name);
  }
  for (const name of connectionTokens(connection)) headers.delete(name);
}

/**
 * A header list (name, value pairs as they arrived) without hop-by-hop fields. Most responses
 * carry none, and then the list itself comes back.
 */
export function endToEndList(list: [string, string][]): [string, string][] {
  let connection: string | undefined;
  let found = false;
  for (let i = 0; i < list.length; i++) {
    const name = list[i]![0];
    // Only names of a hop-by-hop length are lowercased and looked up: most are not.
    if (!HOP_BY_HOP_LENGTHS.has(name.length) || !HOP_BY_HOP.has(name.toLowerCase())) continue;
    found = true;
    if (name.length === 10 && name.toLowerCase() === "connection") {
      connection = connection === undefined ? list[i]![1] : `${connection},${list[i]![1]}`;
    }
  }
  if (!found) return list;
  const named = connectionTokens(connection);
  return list.filter(([name]) => {
    const lower = name.toLowerCase();
    return !HOP_BY_HOP.has(lower) && !named.includes(lower);
  });
}

/** A copy of `headers` without hop-by-hop headers. */
export function withoutHopByHop(headers: Headers): Headers {
  // The native copy is about twice as fast as appending header by header, and keeps every
  // Set-Cookie; most messages carry none of the hop-by-hop names, so the deletes rarely run.
  const out = new Headers(headers);
  stripHopByHop(out);
  return out;
}

export interface ForwardedInfo {
  clientIp: string;
  /** The scheme the client used to reach the proxy. */
  proto: string;
  /** Send the client's Host (true) or let fetch use the backend's address (false). */
  preserveHost: boolean;
  /** Accept-Encoding to send upstream (null: none). */
  acceptEncoding: string | null;
}

/** A copy of the headers a request carries upstream (the WebSocket bridge's handshake). */
export function upstreamRequestHeaders(incoming: Headers, info: ForwardedInfo): Headers {
  const host = incoming.get("host");
  const prior = incoming.get("x-forwarded-for");
  const headers = withoutHopByHop(incoming);
  if (info.clientIp) {
    headers.set("x-forwarded-for", prior ? `${prior}, ${info.clientIp}` : info.clientIp);
  }
  if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", info.proto);
  if (host && !headers.has("x-forwarded-host")) headers.set("x-forwarded-host", host);
  if (!info.preserveHost) headers.delete("host");
  if (info.acceptEncoding === null) headers.delete("accept-encoding");
  else if (headers.get("accept-encoding") !== info.acceptEncoding) {
    headers.set("accept-encoding", info.acceptEncoding);
  }
  return headers;
}

/**
 * upstreamRequestHeaders for a plain-object copy of the client's headers (lowercase names, as
 * Runtime.headerRecord makes it), edited in place: under Bun each Headers call costs a native
 * round trip, and a request makes about twenty of them; object edits cost next to nothing.
 */
export function upstreamRequestRecord(
  record: Record<string, string>,
  info: ForwardedInfo,
): Record<string, string> {
  const connection = record.connection;
  for (const name of HOP_BY_HOP) if (name in record) delete record[name];
  for (const name of connectionTokens(connection)) delete record[name];
  const host = record.host;
  if (info.clientIp) {
    const prior = record["x-forwarded-for"];
    record["x-forwarded-for"] = prior ? `${prior}, ${info.clientIp}` : info.clientIp;
  }
  if (!("x-forwarded-proto" in record)) record["x-forwarded-proto"] = info.proto;
  if (host && !("x-forwarded-host" in record)) record["x-forwarded-host"] = host;
  if (!info.preserveHost) delete record.host;
  if (info.acceptEncoding === null) delete record["accept-encoding"];
  else record["accept-encoding"] = info.acceptEncoding;
  return record;
}

/** The headers a response carries back to the client. */
export function downstreamResponseHeaders(upstream: Headers): Headers {
  return withoutHopByHop(upstream);
}
