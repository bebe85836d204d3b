// An instrumented upstream for proxy tests: it shows what crossed the proxy (headers, body chunks,
// cancellations) and can misbehave on demand (gzip, redirects, slow headers, stalls, hangs).

export const GZIP_TEXT = "podgate ".repeat(500);

export interface TestBackend {
  readonly name: string;
  readonly port: number;
  readonly address: string;
  /** Requests seen, by path. */
  readonly hits: Map<string, number>;
  /** Chunks received by the last POST /upload, as they arrived. */
  readonly uploadChunks: number[];
  /** Resolves when POST /upload has received at least `bytes`. */
  uploadReached(bytes: number): Promise<void>;
  /** Counts requests whose client went away before the backend answered (/hang). */
  readonly cancelled: { count: number };
  /** Releases the second half of GET /stream. */
  releaseStream(): void;
  close(): Promise<void>;
}

export async function gzipped(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface TestBackendOptions {
  hostname?: string;
  /** Answer 503 to every Nth request of the default route (2: every other one). */
  failEvery?: number;
  /** Delay every default-route answer by this many ms. */
  delayMs?: number;
}

export async function startTestBackend(
  name: string,
  options: TestBackendOptions = {},
): Promise<TestBackend> {
  const { hostname = "127.0.0.1", failEvery = 0, delayMs = 0 } = options;
  let defaultHits = 0;
  const gz = await gzipped(GZIP_TEXT);
  const hits = new Map<string, number>();
  const uploadChunks: number[] = [];
  let uploaded = 0;
  const uploadWaiters: Array<{ bytes: number; resolve: () => void }> = [];
  const cancelled = { count: 0 };
  let release = Promise.withResolvers<void>();

  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    switch (url.pathname) {
      case "/ping":
        return Response.json({ podname: name, count: hits.get("/ping") });
      case "/headers":
        return Response.json(Object.fromEntries(req.headers));
      case "/gzip":
        // A precompressed body, sent whatever the client asked for.
        return new Response(gz, {
          headers: {
            "content-encoding": "gzip",
            "content-type": "text/plain",
            "content-length": String(gz.length),
          },
        });
      case "/negotiated":
        return (req.headers.get("accept-encoding") ?? "").includes("gzip")
          ? new Response(gz, {
            headers: {
              "content-encoding": "gzip",
              "content-type": "text/plain",
              vary: "accept-encoding",
            },
          })
          : new Response(GZIP_TEXT, {
            headers: { "content-type": "text/plain", vary: "accept-encoding" },
          });
      case "/redirect":
        return new Response(null, { status: 302, headers: { location: "/elsewhere" } });
      case "/hop":
        return new Response("hop", {
          headers: {
            connection: "x-hop-resp",
            "x-hop-resp": "1",
            "keep-alive": "timeout=5",
            "x-end": "kept",
          },
        });
      case "/cookies": {
        const headers = new Headers();
        headers.append("set-cookie", "a=1; Path=/");
        headers.append("set-cookie", "b=2; Path=/");
        return new Response("ok", { headers });
      }
      case "/status": {
        const code = Number(url.searchParams.get("code") ?? "200");
        return Response.json({ podname: name, code }, { status: code });
      }
      case "/slow-headers":
        await new Promise((r) => setTimeout(r, Number(url.searchParams.get("ms") ?? "1000")));
        return new Response("late");
      case "/hang":
        return await new Promise<Response>((resolve) => {
          req.signal.addEventListener("abort", () => {
            cancelled.count++;
            resolve(new Response("gone"));
          });
        });
      case "/stream": {
        const encoder = new TextEncoder();
        const gate = release.promise;
        return new Response(
          new ReadableStream({
            async start(controller) {
              controller.enqueue(encoder.encode("first;"));
              await gate;
              controller.enqueue(encoder.encode("second"));
              controller.close();
            },
          }),
          { headers: { "content-type": "text/plain" } },
        );
      }
      case "/stall": {
        // Sends a first chunk, then nothing, forever: the proxy's idle timeout must cut it.
        return new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode("partial"));
            },
          }),
        );
      }
      case "/upload": {
        uploadChunks.length = 0;
        uploaded = 0;
        let total = 0;
        for await (const chunk of req.body ?? new ReadableStream()) {
          total += chunk.length;
          uploadChunks.push(chunk.length);
          uploaded = total;
          for (const w of uploadWaiters.filter((w) => uploaded >= w.bytes)) {
            uploadWaiters.splice(uploadWaiters.indexOf(w), 1);
            w.resolve();
          }
        }
        return Response.json({ bytes: total });
      }
      case "/echo":
        return new Response(req.body);
      case "/bytes":
        // A body of known length (?n=bytes): Deno.serve sends it with its Content-Length.
        return new Response(new Uint8Array(Number(url.searchParams.get("n") ?? "0")).fill(97));
      default: {
        defaultHits++;
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        if (failEvery > 0 && defaultHits % failEvery === 0) {
          return Response.json({ podname: name, error: "overloaded" }, { status: 503 });
        }
        return Response.json({ podname: name, path: url.pathname + url.search });
      }
    }
  };

  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname,
    port: 0,
    onListen: (a) => listening.resolve(a as Deno.NetAddr),
  }, handler);
  const addr = await listening.promise;
  return {
    name,
    port: addr.port,
    address: `${hostname}:${addr.port}`,
    hits,
    uploadChunks,
    uploadReached(bytes) {
      if (uploaded >= bytes) return Promise.resolve();
      const { promise, resolve } = Promise.withResolvers<void>();
      uploadWaiters.push({ bytes, resolve });
      return promise;
    },
    cancelled,
    releaseStream() {
      release.resolve();
      release = Promise.withResolvers<void>();
    },
    async close() {
      release.resolve();
      await server.shutdown();
    },
  };
}
