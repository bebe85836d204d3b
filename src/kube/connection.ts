// Where the API server is and how to prove who we are: the contract between the config sources
// (in-cluster, kubeconfig) and the client. Credentials are re-read on a timer and on demand.
import type { TlsClientOptions } from "../runtime/mod.ts";

export interface KubeCredentials {
  readonly tls: TlsClientOptions;
  /** Headers every request carries: Authorization (bearer or basic), Impersonate-User. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface KubeConnection {
  /** `https://host:port` (IPv6 bracketed), possibly with a path prefix; no trailing slash. */
  readonly server: string;
  readonly source: "in-cluster" | "kubeconfig";
  /** For logs: the service account directory, or the kubeconfig files and context. */
  readonly description: string;
  /** The namespace this config points at (service account file or kubeconfig context). */
  readonly namespace: string | undefined;
  /**
   * The credentials to use now. They are re-read when older than the reload interval, and at
   * once with `refresh` (after a 401: a rotated token, an expired exec credential).
   */
  credentials(options?: { refresh?: boolean }): Promise<KubeCredentials>;
}

export interface ReloadOptions {
  reloadMs: number;
  now?: () => number;
}

/**
 * Caches what `load` returns for `reloadMs`. A timed re-read that fails keeps the last good
 * credentials (a token file mid-rotation); a forced one or the first one throws.
 */
export function reloadingCredentials(
  load: (refresh: boolean) => Promise<KubeCredentials>,
  { reloadMs, now = Date.now }: ReloadOptions,
): (options?: { refresh?: boolean }) => Promise<KubeCredentials> {
  let current: KubeCredentials | undefined;
  let loadedAt = 0;
  let inflight: Promise<KubeCredentials> | undefined;

  const store = (fresh: KubeCredentials) => {
    current = fresh;
    loadedAt = now();
    return fresh;
  };
  // Timed re-reads share one read; a forced one always reads again.
  const reload = (refresh: boolean): Promise<KubeCredentials> => {
    if (refresh) return load(true).then(store);
    inflight ??= load(false).then(store).finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  return async ({ refresh = false } = {}) => {
    if (refresh || current === undefined) return await reload(refresh);
    if (now() - loadedAt < reloadMs) return current;
    try {
      return await reload(false);
    } catch {
      return current;
    }
  };
}
