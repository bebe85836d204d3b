// Raw TCP for podgate's HTTP/1.1 client under Deno: Deno.connect's pull-style reads and
// promise writes, turned into the push-style events the client expects (see types.ts).
import type { ByteSocket, Dial, SocketEvents } from "./types.ts";

const READ_BYTES = 65_536;
const encoder = new TextEncoder();

export const denoDial: Dial = async ({ hostname, port }, events) => {
  const conn = await Deno.connect({ hostname, port });
  conn.setNoDelay(true);
  return new DenoSocket(conn, events);
};

class DenoSocket implements ByteSocket {
  #conn: Deno.TcpConn;
  #events: SocketEvents;
  #closed = false;
  #paused: PromiseWithResolvers<void> | undefined;
  #writing = Promise.resolve();
  #queued = 0;

  constructor(conn: Deno.TcpConn, events: SocketEvents) {
    this.#conn = conn;
    this.#events = events;
    this.#readLoop();
  }

  write(data: string | Uint8Array): boolean {
    if (this.#closed) return false;
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    this.#queued++;
    this.#writing = this.#writing.then(async () => {
      if (this.#closed) return;
      try {
        for (let sent = 0; sent < bytes.length;) {
          sent += await this.#conn.write(bytes.subarray(sent));
        }
      } catch (error) {
        this.#close(error);
        return;
      }
      if (--this.#queued === 0 && !this.#closed) this.#events.drain();
    });
    return this.#queued === 1;
  }

  pause(): void {
    this.#paused ??= Promise.withResolvers();
  }

  resume(): void {
    const paused = this.#paused;
    this.#paused = undefined;
    paused?.resolve();
  }

  destroy(): void {
    this.#close();
  }

  async #readLoop(): Promise<void> {
    try {
      for (;;) {
        if (this.#paused) await this.#paused.promise;
        if (this.#closed) return;
        const buffer = new Uint8Array(READ_BYTES);
        const n = await this.#conn.read(buffer);
        if (this.#closed) return;
        if (n === null) return this.#close();
        this.#events.data(buffer.subarray(0, n));
      }
    } catch (error) {
      this.#close(error);
    }
  }

  #close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.resume();
    try {
      this.#conn.close();
    } catch {
      // already closed by the peer
    }
    this.#events.close(error);
  }
}
