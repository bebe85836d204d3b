// What a rule's filters do to a request, as pure functions: header edits on the upstream
// request's header record and on the response's Headers, the path a URLRewrite or a
// RequestRedirect makes, and the Location a redirect answers with (HTTPRoute's semantics).
import { trimSlash } from "./path_match.ts";
import type { HeaderEdits, PathMatch, PathModifier, RequestRedirect } from "./types.ts";

/**
 * Applies HTTPHeaderFilter edits to a header record whose names are lowercase: `set` replaces,
 * `add` appends to an existing value (comma-joined, as repeats of a field are), `remove` deletes.
 * The spec's order: set, then add, then remove.
 */
export function editHeaderRecord(record: Record<string, string>, edits: HeaderEdits): void {
  for (const { name, value } of edits.set) record[name.toLowerCase()] = value;
  for (const { name, value } of edits.add) {
    const key = name.toLowerCase();
    const existing = record[key];
    record[key] = existing === undefined || existing === "" ? value : `${existing},${value}`;
  }
  for (const name of edits.remove) delete record[name.toLowerCase()];
}

/** The same edits on a response's Headers. */
export function editHeaders(headers: Headers, edits: HeaderEdits): void {
  for (const { name, value } of edits.set) headers.set(name, value);
  for (const { name, value } of edits.add) headers.append(name, value);
  for (const name of edits.remove) headers.delete(name);
}

/**
 * The path after a path modifier. ReplacePrefixMatch replaces the part the rule's PathPrefix
 * matched, segment-wise: with prefix `/foo`, `/foo/bar` becomes `/xyz/bar` for `/xyz` and
 * `/bar` for `/`; a match that was not a PathPrefix leaves the path as it is (the config schema
 * and the Gateway translation refuse that combination).
 */
export function modifiedPath(path: string, modifier: PathModifier, matched: PathMatch): string {
  if (modifier.type === "ReplaceFullPath") return modifier.replaceFullPath;
  if (matched.type !== "PathPrefix") return path;
  const prefix = trimSlash(matched.value);
  const rest = path.slice(prefix.length); // "" or "/…"
  const replacement = trimSlash(modifier.replacePrefixMatch);
  const out = replacement + rest;
  return out === "" ? "/" : out.startsWith("/") ? out : `/${out}`;
}

/** The parts of the request a redirect starts from. */
export interface RedirectSource {
  readonly scheme: "http" | "https";
  /** The request's host, without the port. */
  readonly host: string;
  readonly port: number | undefined;
  readonly path: string;
  /** The query with its `?`, or "". */
  readonly query: string;
}

const DEFAULT_PORTS = { http: 80, https: 443 } as const;

/**
 * The Location of a RequestRedirect (HTTPRequestRedirectFilter): each part the filter leaves
 * out comes from the request. A port is written only when it is not the scheme's default; a
 * redirect that changes the scheme without naming a port drops the request's port.
 *
 * With no host from either (a request whose Host is empty or absent), the Location is the path
 * alone, a reference the client resolves against its own request URL (RFC 9110 §10.2.2), so
 * `http:///x` is never written; when the redirect also changes the scheme or the port, which a
 * path cannot say, there is no Location to give: undefined.
 */
export function redirectLocation(
  source: RedirectSource,
  redirect: RequestRedirect,
  matched: PathMatch,
): string | undefined {
  const scheme = redirect.scheme ?? source.scheme;
  const host = redirect.hostname ?? source.host;
  const port = redirect.port ??
    (redirect.scheme !== undefined && redirect.scheme !== source.scheme ? undefined : source.port);
  const path = redirect.path ? modifiedPath(source.path, redirect.path, matched) : source.path;
  if (host === "") {
    const sameOrigin = scheme === source.scheme && port === source.port;
    return sameOrigin ? `${path}${source.query}` : undefined;
  }
  const portText = port === undefined || port === DEFAULT_PORTS[scheme] ? "" : `:${port}`;
  const hostText = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${scheme}://${hostText}${portText}${path}${source.query}`;
}
