// The Bun half of the runtime adapter. `deno check` does not know Bun's types, so Bun is reached
// through the small typed interface below, over globalThis.
import process from "node:process";
import { readFile, stat } from "node:fs/promises";
import type {
  FetchHandler,
  RunningServer,
  Runtime,
  ServeOptions,
  TlsClientOptions,
} from "./types.ts";
import {
  type BunUpgrader,
  type BunWebSocketHandlers,
  bunWebSocketHandlers,
  connectWebSocket,
  rememberServer,
  upgradeWebSocket,
} from "./bun_websocket.ts";
import { bunDial, bunStreamBody } from "./bun_socket.ts";

interface BunServer extends BunUpgrader {
  readonly port: number;
  readonly hostname: string;
  stop(closeActiveConnections?: boolean): Promise<void>;
  requestIP(req: Request): { address: string } | null;
}

interface BunServeOptions {
  port: number;
  hostname: string;
  idleTimeout?: number;
  fetch(req: Request, server: BunServer): Response | Promise<Response>;
  error?(error: unknown): Response;
  websocket?: BunWebSocketHandlers;
}

interface BunGlobal {
  readonly version: string;
  serve(options: BunServeOptions): BunServer;
}

function bun(): BunGlobal {
  return (globalThis as unknown as { Bun: BunGlobal }).Bun;
}

function serve(handler: FetchHandler, options: ServeOptions): Promise<RunningServer> {
  const { port, hostname = "0.0.0.0", idleTimeoutSeconds = 120, onError } = options;
  const server = bun().serve({
    port,
    hostname,
    // Bun closes a connection idle for 10 s by default; 255 is its ceiling.
    idleTimeout: Math.min(255, Math.max(0, Math.round(idleTimeoutSeconds))),
    fetch: (req, srv) => {
      rememberServer(req, srv);
      return handler(req, { remoteAddr: srv.requestIP(req)?.address ?? "" });
    },
    websocket: bunWebSocketHandlers,
    ...(onError ? { error: onError } : {}),
  });
  return Promise.resolve({
    port: server.port,
    hostname: server.hostname,
    shutdown: () => server.stop(false),
    close: () => server.stop(true),
  });
}

function tlsFetch(tls: TlsClientOptions): typeof fetch {
  const options = {
    ...(tls.caCerts ? { ca: tls.caCerts } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
    ...(tls.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
  };
  return ((input: RequestInfo | URL, init?: RequestInit) =>
    fetch(input, { ...init, tls: options } as RequestInit)) as typeof fetch;
}

const proxyInit = Object.freeze({ decompress: false });

export const bunRuntime: Runtime = {
  name: "bun",
  get version() {
    return bun().version;
  },
  serve,
  tlsFetch,
  proxyInit,
  upstreamAcceptEncoding: (clientValue) => clientValue,
  fetchResponseHeadersMutable: true,
  // One native call; a Headers method call costs about as much as this whole copy of a request's.
  headerRecord: (headers) => (headers as unknown as { toJSON(): Record<string, string> }).toJSON(),
  // Bun's fetch `timeout` is a socket idle timer (reset by every byte either way) on a 4 s tick.
  fetchIdleTimeout: { init: (ms) => ({ timeout: ms }), minMs: 16_000 },
  fetchKeepsUnsentBody: true,
  // Bun.serve's idleTimeout closes a connection whose body stalls (2 s fired at 4 s, measured).
  serverIdleCutsBodiesFromMs: 16_000,
  http1: { dial: bunDial, streamBody: bunStreamBody },
  upgradeWebSocket,
  connectWebSocket,
  env: (name) => process.env[name],
  envAll: () => ({ ...process.env }) as Record<string, string>,
  args: () => process.argv.slice(2),
  readTextFile: (path) => readFile(path, "utf8"),
  fileExists: async (path) => {
    try {
      return (await stat(path)).isFile();
    } catch {
      return false;
    }
  },
  onSignal(signal, listener) {
    process.on(signal, listener);
    return () => void process.off(signal, listener);
  },
  exit: (code) => process.exit(code),
  writeOut: (line) => void process.stdout.write(line + "\n"),
  writeErr: (line) => void process.stderr.write(line + "\n"),
  memoryRss: () => process.memoryUsage.rss(),
};
