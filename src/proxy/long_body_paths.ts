// Which paths the proxy sends through fetch although the own HTTP/1.1 client could carry them.

/**
 * Paths (query left out) whose last response through the own HTTP/1.1 client was streamed:
 * too long to collect, or of unknown length. Their requests go through fetch, whose bodies
 * Bun pipes natively, while the own client hands every chunk to JavaScript: a 1 MiB GET took
 * 1.0M instructions that way against 545k, most of the difference garbage collection of the
 * chunks. Bounded: when full, it starts over.
 */
export class LongBodyPaths {
  readonly #paths = new Set<string>();
  readonly #limit: number;
  constructor(limit: number) {
    this.#limit = limit;
  }
  has(path: string): boolean {
    return this.#paths.size > 0 && this.#paths.has(withoutQuery(path));
  }
  add(path: string): void {
    if (this.#paths.size >= this.#limit) this.#paths.clear();
    this.#paths.add(withoutQuery(path));
  }
  delete(path: string): void {
    if (this.#paths.size > 0) this.#paths.delete(withoutQuery(path));
  }
}

function withoutQuery(path: string): string {
  const query = path.indexOf("?");
  return query === -1 ? path : path.slice(0, query);
}
