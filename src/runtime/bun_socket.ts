// Raw TCP for podgate's HTTP/1.1 client under Bun (Bun.connect), and Bun's direct streams for
// the bodies it hands to Bun.serve: written straight to the client's socket, with no queue.
import type { BodyWriter, ByteSocket, Dial, SocketEvents, StreamBody } from "./types.ts";

const encoder = new TextEncoder();

interface BunTcpSocket {
  data: BunSocket;
  write(data: string | Uint8Array): number;
  pause(): void;
  resume(): void;
  terminate(): void;
  setNoDelay(on: boolean): void;
}

interface BunConnectOptions {
  hostname: string;
  port: number;
  data: BunSocket;
  socket: {
    data(socket: BunTcpSocket, chunk: Uint8Array): void;
    drain(socket: BunTcpSocket): void;
    close(socket: BunTcpSocket, error?: unknown): void;
    error(socket: BunTcpSocket, error: unknown): void;
    connectError(socket: BunTcpSocket, error: unknown): void;
  };
}

function connect(options: BunConnectOptions): Promise<BunTcpSocket> {
  return (globalThis as unknown as {
    Bun: { connect(options: BunConnectOptions): Promise<BunTcpSocket> };
  }).Bun.connect(options);
}

/** One connection's state, riding on the Bun socket as its `data`. */
class BunSocket implements ByteSocket {
  tcp: BunTcpSocket | undefined;
  readonly events: SocketEvents;
  /** Bytes the kernel did not take yet, in order. */
  unsent: Uint8Array[] = [];
  closed = false;
  error: unknown;

  constructor(events: SocketEvents) {
    this.events = events;
  }

  write(data: string | Uint8Array): boolean {
    if (this.closed || !this.tcp) return false;
    if (this.unsent.length > 0) {
      this.unsent.push(typeof data === "string" ? encoder.encode(data) : data);
      return false;
    }
    // A string is ASCII (see ByteSocket.write), so its length is its byte count.
    const sent = this.tcp.write(data);
    if (sent >= data.length) return true;
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    this.unsent.push(bytes.subarray(Math.max(0, sent)));
    return false;
  }

  pause(): void {
    this.tcp?.pause();
  }

  resume(): void {
    this.tcp?.resume();
  }

  destroy(): void {
    if (this.closed) return;
    this.tcp?.terminate();
    this.finish();
  }

  flush(): void {
    while (this.unsent.length > 0 && this.tcp) {
      const head = this.unsent[0]!;
      const sent = this.tcp.write(head);
      if (sent < head.length) {
        this.unsent[0] = head.subarray(Math.max(0, sent));
        return;
      }
      this.unsent.shift();
    }
    this.events.drain();
  }

  finish(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.unsent = [];
    this.events.close(error ?? this.error);
  }
}

// One handler object for every connection (Bun keeps per-socket state in `data`).
const handlers: BunConnectOptions["socket"] = {
  data: (socket, chunk) => socket.data.events.data(chunk),
  drain: (socket) => socket.data.flush(),
  close: (socket, error) => socket.data.finish(error),
  error: (socket, error) => void (socket.data.error = error),
  connectError: (socket, error) => void (socket.data.error = error),
};

export const bunDial: Dial = async ({ hostname, port }, events) => {
  const state = new BunSocket(events);
  const tcp = await connect({ hostname, port, data: state, socket: handlers });
  tcp.setNoDelay(true);
  state.tcp = tcp;
  return state;
};

interface DirectController {
  write(data: Uint8Array): number | Promise<number>;
  flush(): number | Promise<number>;
  close(error?: unknown): void;
}

/**
 * Bun's direct stream: Bun.serve calls pull once and the writes go to the client's socket as
 * they come. The stream stays open until pull's promise settles. Bun drops a Content-Length set
 * on any stream body and sends it chunked (oven-sh/bun#10507), as it does for fetch's bodies.
 */
export const bunStreamBody: StreamBody = (start, cancel) => {
  let settle: { resolve(): void; reject(error: unknown): void } | undefined;
  return new ReadableStream({
    type: "direct",
    pull(controller: DirectController) {
      return new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
        const writer: BodyWriter = {
          write(chunk) {
            const written = controller.write(chunk);
            return typeof written === "number" ? undefined : written;
          },
          end() {
            settle?.resolve();
            settle = undefined;
          },
          fail() {
            // Rejected without a reason: Bun then closes the client's connection mid-body (no
            // final chunk, so the client sees the cut) without printing a multi-line dump of
            // the error to stderr, as it does for any reason given.
            settle?.reject(undefined);
            settle = undefined;
          },
        };
        start(writer);
      });
    },
    cancel,
  } as unknown as UnderlyingDefaultSource<Uint8Array>);
};
