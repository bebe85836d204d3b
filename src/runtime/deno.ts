// The Deno half of the runtime adapter.
import type {
  FetchHandler,
  RunningServer,
  Runtime,
  ServeOptions,
  TlsClientOptions,
} from "./types.ts";
import { connectWebSocket, upgradeWebSocket } from "./deno_websocket.ts";
import { denoDial } from "./deno_socket.ts";
import { webStreamBody } from "./web_body_stream.ts";

const encoder = new TextEncoder();

async function serve(handler: FetchHandler, options: ServeOptions): Promise<RunningServer> {
  const { port, hostname = "0.0.0.0", onError } = options;
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve(
    {
      port,
      hostname,
      onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
      ...(onError ? { onError } : {}),
    },
    (req, info) => handler(req, { remoteAddr: (info.remoteAddr as Deno.NetAddr).hostname ?? "" }),
  );
  const addr = await listening.promise;
  return {
    port: addr.port,
    hostname: addr.hostname,
    shutdown: () => server.shutdown(),
    close: () => server.shutdown(),
  };
}

function tlsFetch(tls: TlsClientOptions): typeof fetch {
  if (tls.insecureSkipVerify) {
    throw new TypeError(
      "Cannot skip TLS verification under Deno: run with --unsafely-ignore-certificate-errors or use the compiled binary",
    );
  }
  const client = Deno.createHttpClient({
    ...(tls.caCerts ? { caCerts: tls.caCerts } : {}),
    ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
  });
  return ((input: RequestInfo | URL, init?: RequestInit) =>
    fetch(input, { ...init, client } as RequestInit)) as typeof fetch;
}

let proxyClient: Deno.HttpClient | undefined;

export const denoRuntime: Runtime = {
  name: "deno",
  get version() {
    return Deno.version.deno;
  },
  serve,
  tlsFetch,
  get proxyInit() {
    // allowHost: Deno drops a caller-set Host header otherwise.
    proxyClient ??= Deno.createHttpClient({ allowHost: true });
    return { client: proxyClient };
  },
  upstreamAcceptEncoding: () => "identity",
  fetchResponseHeadersMutable: false,
  fetchKeepsUnsentBody: false,
  http1: { dial: denoDial, streamBody: webStreamBody },
  upgradeWebSocket,
  connectWebSocket,
  env: (name) => Deno.env.get(name),
  envAll: () => Deno.env.toObject(),
  args: () => [...Deno.args],
  readTextFile: (path) => Deno.readTextFile(path),
  fileExists: async (path) => {
    try {
      return (await Deno.stat(path)).isFile;
    } catch {
      return false;
    }
  },
  onSignal(signal, listener) {
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  },
  exit: (code) => Deno.exit(code),
  writeOut: (line) => void Deno.stdout.writeSync(encoder.encode(line + "\n")),
  writeErr: (line) => void Deno.stderr.writeSync(encoder.encode(line + "\n")),
  memoryRss: () => Deno.memoryUsage().rss,
};
