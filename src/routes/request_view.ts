// One request as route matching reads it: each part is worked out the first time a match asks
// for it, so a table that only looks at paths never splits a query or reads a header.
import { pathOf, queryOf, requestHost, routingPath } from "./request_target.ts";

/** The three things of a Request matching needs (a Request is one). */
export interface RequestLike {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
}

export class RequestView {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  #host: string | undefined;
  #path: string | undefined;
  #params: URLSearchParams | undefined;

  constructor(req: RequestLike) {
    this.method = req.method;
    this.url = req.url;
    this.headers = req.headers;
  }

  /**
   * Lowercase, without port or trailing dot; "" for a Host field that is no plain host or that
   * disagrees with the URL (see requestHost).
   */
  get host(): string {
    return this.#host ??= requestHost(this.url, this.headers.get("host"));
  }

  /** The path routes decide on, in its one canonical spelling (see routingPath). */
  get path(): string {
    return this.#path ??= routingPath(pathOf(this.url));
  }

  /** The first value of a query parameter, decoded; null when absent. */
  param(name: string): string | null {
    return (this.#params ??= new URLSearchParams(queryOf(this.url))).get(name);
  }

  /** A header's value (repeats joined with ", "); null when absent. */
  header(name: string): string | null {
    return this.headers.get(name);
  }
}
