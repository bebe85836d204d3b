// PATCH for podgate's Kubernetes client: the one write clb-sync makes (a pod's readiness-gate
// condition, through the pods/status subresource). Same connection, TLS and 401 re-read as the
// GETs in client.ts; a non-2xx answer becomes a KubeApiError with the server's Status message.
import type { TlsClientOptions } from "../runtime/mod.ts";
import { VERSION } from "../version.ts";
import { KubeApiError } from "./api.ts";
import type { KubeConnection } from "./connection.ts";
import { kubeApiErrorFrom } from "./status.ts";

export type PatchType =
  | "application/strategic-merge-patch+json"
  | "application/merge-patch+json"
  | "application/json-patch+json";

export interface PatchOptions {
  contentType?: PatchType | string;
  signal?: AbortSignal;
}

export interface KubePatchApi {
  /** PATCHes an API path with `body` as JSON; resolves with the object the server answers. */
  patchJson(path: string, body: unknown, options?: PatchOptions): Promise<unknown>;
}

export interface KubePatcherOptions {
  tlsFetch: (tls: TlsClientOptions) => typeof fetch;
  requestTimeoutMs?: number;
}

export function createKubePatcher(
  connection: KubeConnection,
  { tlsFetch, requestTimeoutMs = 30_000 }: KubePatcherOptions,
): KubePatchApi {
  let cached: { key: string; fetch: typeof fetch } | undefined;
  const fetchFor = (tls: TlsClientOptions): typeof fetch => {
    const key = JSON.stringify(tls);
    if (cached?.key !== key) cached = { key, fetch: tlsFetch(tls) };
    return cached.fetch;
  };
  const fail = (path: string, reason: string, message: string, cause: unknown) =>
    new KubeApiError(0, reason, `PATCH ${path} failed: ${message}`, path, { cause });

  return {
    async patchJson(
      path,
      body,
      { contentType = "application/strategic-merge-patch+json", signal } = {},
    ) {
      for (let attempt = 0;; attempt++) {
        let creds;
        try {
          creds = await connection.credentials({ refresh: attempt > 0 });
        } catch (error) {
          throw fail(path, "NoCredentials", (error as Error).message, error);
        }
        const fetchFn = fetchFor(creds.tls);
        const timeout = AbortSignal.timeout(requestTimeoutMs);
        let response: Response;
        let text: string;
        try {
          response = await fetchFn(connection.server + path, {
            method: "PATCH",
            headers: {
              ...creds.headers,
              accept: "application/json",
              "content-type": contentType,
              "user-agent": `podgate/${VERSION}`,
            },
            body: JSON.stringify(body),
            signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          });
          text = await response.text();
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          if (timeout.aborted) {
            throw fail(path, "Timeout", `no answer within ${requestTimeoutMs} ms`, error);
          }
          throw fail(path, "ConnectionFailed", (error as Error).message, error);
        }
        if (response.status === 401 && attempt === 0) continue;
        if (!response.ok) throw kubeApiErrorFrom(response.status, text, path);
        try {
          return JSON.parse(text);
        } catch (error) {
          throw new KubeApiError(response.status, "BadResponse", "the answer is not JSON", path, {
            cause: error,
          });
        }
      }
    },
  };
}
