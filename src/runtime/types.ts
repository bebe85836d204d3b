// The operations podgate needs from its host runtime. Deno and Bun each supply them in their own
// file; nothing outside src/runtime/ touches `Deno.*` or `Bun.*`.

/** What a handler learns about the connection a request came in on. */
export interface ConnInfo {
  /** The client's IP address, without port ("" when the runtime cannot tell). */
  readonly remoteAddr: string;
}

export type FetchHandler = (req: Request, conn: ConnInfo) => Response | Promise<Response>;

export interface ServeOptions {
  port: number;
  hostname?: string;
  /** Seconds a connection may sit idle before the server closes it. */
  idleTimeoutSeconds?: number;
  /** Answers a request whose handler threw; the server keeps serving. */
  onError?: (error: unknown) => Response;
}

export interface RunningServer {
  readonly port: number;
  readonly hostname: string;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  shutdown(): Promise<void>;
  /** Closes every connection now. */
  close(): Promise<void>;
}

/** TLS material for a client that talks to an API server (PEM strings). */
export interface TlsClientOptions {
  caCerts?: string[];
  cert?: string;
  key?: string;
  insecureSkipVerify?: boolean;
}

export type SignalName = "SIGINT" | "SIGTERM";

export interface Runtime {
  readonly name: "deno" | "bun";
  readonly version: string;
  serve(handler: FetchHandler, options: ServeOptions): Promise<RunningServer>;
  /** A fetch that trusts the given CA and presents the given client certificate. */
  tlsFetch(tls: TlsClientOptions): typeof fetch;
  /**
   * Extra RequestInit fields that make fetch behave as a proxy's transport: no decompression,
   * and the client's Host header kept.
   */
  readonly proxyInit: Record<string, unknown>;
  /**
   * The Accept-Encoding to send upstream, given the client's. Bun passes bytes through untouched;
   * Deno decompresses any encoded response unless it asked for identity, so it asks for that.
   */
  upstreamAcceptEncoding(clientValue: string | null): string | null;
  env(name: string): string | undefined;
  envAll(): Record<string, string>;
  args(): string[];
  readTextFile(path: string): Promise<string>;
  fileExists(path: string): Promise<boolean>;
  onSignal(signal: SignalName, listener: () => void): () => void;
  exit(code: number): never;
  /** Writes a line to stdout or stderr without the console's formatting. */
  writeOut(line: string): void;
  writeErr(line: string): void;
  /** Resident set size of this process in bytes. */
  memoryRss(): number;
}
