// A route definition as both sources produce it (the config file's `routes`, or an HTTPRoute
// attached to our Gateway): Gateway API's HTTPRoute with every default filled in, frozen, and
// nothing of where it came from except what precedence needs (its age and its name).

export type PathMatchType = "Exact" | "PathPrefix" | "RegularExpression";

export interface PathMatch {
  readonly type: PathMatchType;
  readonly value: string;
}

export interface NameValueMatch {
  /** Exact (the default) or RegularExpression (a JavaScript expression, whole value). */
  readonly type: "Exact" | "RegularExpression";
  readonly name: string;
  readonly value: string;
}

/** Every condition of one match must hold (AND); a rule matches when any of its matches does. */
export interface RouteMatch {
  readonly path: PathMatch;
  readonly method?: string | undefined;
  readonly headers: readonly NameValueMatch[];
  readonly queryParams: readonly NameValueMatch[];
}

export interface HeaderValue {
  readonly name: string;
  readonly value: string;
}

/** HTTPHeaderFilter: `set` overwrites, `add` appends (comma-joined), `remove` deletes. */
export interface HeaderEdits {
  readonly set: readonly HeaderValue[];
  readonly add: readonly HeaderValue[];
  readonly remove: readonly string[];
}

export type PathModifier =
  | { readonly type: "ReplaceFullPath"; readonly replaceFullPath: string }
  | { readonly type: "ReplacePrefixMatch"; readonly replacePrefixMatch: string };

export interface RequestRedirect {
  readonly scheme?: "http" | "https" | undefined;
  readonly hostname?: string | undefined;
  readonly port?: number | undefined;
  readonly path?: PathModifier | undefined;
  readonly statusCode: 301 | 302 | 303 | 307 | 308;
}

export interface UrlRewrite {
  readonly hostname?: string | undefined;
  readonly path?: PathModifier | undefined;
}

export type RouteFilter =
  | { readonly type: "RequestHeaderModifier"; readonly requestHeaderModifier: HeaderEdits }
  | { readonly type: "ResponseHeaderModifier"; readonly responseHeaderModifier: HeaderEdits }
  | { readonly type: "RequestRedirect"; readonly requestRedirect: RequestRedirect }
  | { readonly type: "URLRewrite"; readonly urlRewrite: UrlRewrite }
  /** A filter podgate does not implement: requests it would process get a 500, never skip it. */
  | { readonly type: "Unsupported"; readonly name: string };

/** Where a backendRef's endpoints come from. */
export type BackendSource =
  /** A fixed `host:port` list (config file only). */
  | { readonly kind: "static"; readonly addresses: readonly string[] }
  /** The EndpointSlices of a Service: `port` is the endpoints' port, by number or name. */
  | {
    readonly kind: "service";
    readonly namespace?: string | undefined;
    readonly name: string;
    readonly port: number | string;
  }
  /** The seed's single-service discovery, whatever it is (the implicit route). */
  | { readonly kind: "discovery" }
  /** A reference that cannot be resolved: its share of the traffic gets a 500 (the spec's rule). */
  | { readonly kind: "invalid"; readonly reason: string; readonly message: string };

export interface BackendRef {
  readonly source: BackendSource;
  /** Relative share within the rule; 0 sends nothing here. */
  readonly weight: number;
  /** Filters that apply only to requests sent to this backend (after the rule's). */
  readonly filters: readonly RouteFilter[];
}

export interface RouteRule {
  /** The rule's own name (HTTPRoute rules may have one); it keeps state across edits. */
  readonly name?: string | undefined;
  readonly matches: readonly RouteMatch[];
  readonly filters: readonly RouteFilter[];
  readonly backendRefs: readonly BackendRef[];
}

export interface RouteSpec {
  /** Unique in the table: the config's `name`, or `namespace/name` for an HTTPRoute. */
  readonly name: string;
  /** Exact names and `*.` wildcards, lowercase; empty matches every host. */
  readonly hostnames: readonly string[];
  readonly rules: readonly RouteRule[];
  /** Creation time in ms (HTTPRoute's creationTimestamp); the oldest route wins a tie. */
  readonly createdAt: number;
  /** The next tie-break: position in the config file, or alphabetical `namespace/name`. */
  readonly order: number;
  /** A strategy other than the proxy's (config file only). */
  readonly strategy?: string | undefined;
}

/** The match every request meets: PathPrefix `/`, nothing else (HTTPRoute's default). */
export const MATCH_EVERYTHING: RouteMatch = Object.freeze({
  path: Object.freeze({ type: "PathPrefix", value: "/" }),
  headers: Object.freeze([]),
  queryParams: Object.freeze([]),
}) as RouteMatch;

export const NO_HEADER_EDITS: HeaderEdits = Object.freeze({
  set: Object.freeze([]),
  add: Object.freeze([]),
  remove: Object.freeze([]),
}) as HeaderEdits;
