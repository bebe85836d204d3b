// podgate's Kubernetes client: GETs and watch streams over the runtime's TLS fetch, with the
// connection's credentials. A 401 re-reads the credentials and tries once more (rotated tokens);
// any other non-2xx becomes a KubeApiError carrying the server's Status message.
import type { TlsClientOptions } from "../runtime/mod.ts";
import { VERSION } from "../version.ts";
import { type KubeApi, KubeApiError, type KubeRequestOptions } from "./api.ts";
import type { KubeConnection, KubeCredentials } from "./connection.ts";
import { kubeApiErrorFrom } from "./status.ts";

export interface KubeClientOptions {
  /** Builds a fetch for the given TLS material (runtime.tlsFetch). */
  tlsFetch: (tls: TlsClientOptions) => typeof fetch;
  /** Longest wait for a GET's whole answer, or for a watch's response headers. */
  requestTimeoutMs?: number;
  /** KubeApi.defaultNamespace. */
  defaultNamespace?: string | undefined;
}

export interface KubeClient extends KubeApi {
  readonly server: string;
  /** Loads the credentials and builds the TLS client now, so bad TLS config fails at start-up. */
  prepare(): Promise<void>;
}

const USER_AGENT = `podgate/${VERSION}`;

export function createKubeClient(
  connection: KubeConnection,
  options: KubeClientOptions,
): KubeClient {
  const { tlsFetch, requestTimeoutMs = 30_000, defaultNamespace } = options;
  const server = connection.server;
  let cached: { key: string; fetch: typeof fetch } | undefined;

  // One fetch per distinct TLS material: rebuilt only when a reload changed it.
  const fetchFor = (tls: TlsClientOptions): typeof fetch => {
    const key = JSON.stringify(tls);
    if (cached?.key !== key) cached = { key, fetch: tlsFetch(tls) };
    return cached.fetch;
  };

  const credentials = async (path: string, refresh: boolean): Promise<KubeCredentials> => {
    try {
      return await connection.credentials({ refresh });
    } catch (error) {
      throw new KubeApiError(
        0,
        "NoCredentials",
        `GET ${path} failed: ${(error as Error).message}`,
        path,
        { cause: error },
      );
    }
  };

  /** Sends the GET; `stream` keeps the body open (a watch) and times out the headers only. */
  const request = async (
    path: string,
    stream: boolean,
    { signal }: KubeRequestOptions = {},
  ): Promise<{ response: Response; done: () => void; timedOut: () => boolean }> => {
    for (let attempt = 0;; attempt++) {
      const creds = await credentials(path, attempt > 0);
      // Outside the try: bad TLS material is a config error, not an unreachable server.
      const fetchFn = fetchFor(creds.tls);
      const timer = new AbortController();
      const timeout = setTimeout(
        () => timer.abort(new DOMException("API request timed out", "TimeoutError")),
        requestTimeoutMs,
      );
      const done = () => clearTimeout(timeout);
      let response: Response;
      try {
        response = await fetchFn(server + path, {
          headers: { ...creds.headers, accept: "application/json", "user-agent": USER_AGENT },
          signal: signal ? AbortSignal.any([signal, timer.signal]) : timer.signal,
        });
      } catch (error) {
        done();
        if (signal?.aborted) throw signal.reason;
        if (timer.signal.aborted) {
          throw new KubeApiError(
            0,
            "Timeout",
            `GET ${path} failed: no answer from ${server} within ${requestTimeoutMs} ms`,
            path,
            { cause: error },
          );
        }
        throw new KubeApiError(
          0,
          "ConnectionFailed",
          `GET ${path} failed: cannot reach the API server at ${server}: ${describe(error)}`,
          path,
          { cause: error },
        );
      }
      if (response.status === 401 && attempt === 0) {
        done();
        await response.body?.cancel().catch(() => {});
        continue;
      }
      if (!response.ok) {
        try {
          throw kubeApiErrorFrom(response.status, await response.text(), path);
        } finally {
          done();
        }
      }
      if (stream) done();
      return { response, done, timedOut: () => timer.signal.aborted };
    }
  };

  return {
    server,
    defaultNamespace,
    async prepare() {
      fetchFor((await credentials("/", false)).tls);
    },
    async getJson(path, requestOptions) {
      const { response, done, timedOut } = await request(path, false, requestOptions);
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        if (requestOptions?.signal?.aborted) throw requestOptions.signal.reason;
        throw new KubeApiError(
          0,
          timedOut() ? "Timeout" : "ConnectionFailed",
          timedOut()
            ? `GET ${path} failed: the answer did not arrive within ${requestTimeoutMs} ms`
            : `GET ${path} failed: the connection broke while reading the answer: ${
              describe(error)
            }`,
          path,
          { cause: error },
        );
      } finally {
        done();
      }
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new KubeApiError(
          response.status,
          "BadResponse",
          `GET ${path} failed: the answer is not JSON: ${text.slice(0, 100)}`,
          path,
          { cause: error },
        );
      }
    },
    async openStream(path, requestOptions) {
      return (await request(path, true, requestOptions)).response;
    },
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return error.message + cause;
}
