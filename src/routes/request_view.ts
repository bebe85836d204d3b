// One request as route matching reads it: each part is worked out the first time a match asks
// for it, so a table that only looks at paths never splits a query or reads a header.
import { hostOf, pathOf, queryOf, withoutDotSegments } from "./request_target.ts";

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

  /** Lowercase, without port or trailing dot (see hostOf). */
  get host(): string {
    return this.#host ??= hostOf(this.url);
  }

  /** The path routes decide on: dot segments resolved (see withoutDotSegments). */
  get path(): string {
    return this.#path ??= withoutDotSegments(pathOf(this.url));
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
