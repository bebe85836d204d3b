// The contract between podgate's Kubernetes client and its users (discovery, clb-sync): plain
// GETs parsed as JSON, and raw watch streams. The client itself lives in client.ts.

/** A non-2xx answer from the API server, with its Status body's fields. */
export class KubeApiError extends Error {
  /** HTTP status (401, 403, 404, 410, 5xx), or 0 when no response came back. */
  readonly status: number;
  /** The Status `reason` (Forbidden, NotFound, Expired, …) when the server sent one. */
  readonly reason: string;
  readonly path: string;
  constructor(
    status: number,
    reason: string,
    message: string,
    path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "KubeApiError";
    this.status = status;
    this.reason = reason;
    this.path = path;
  }
}

export interface KubeRequestOptions {
  signal?: AbortSignal;
}

export interface KubeApi {
  /** The namespace to use when none is configured (kubeconfig context or service account). */
  readonly defaultNamespace: string | undefined;
  /** GETs an API path (with query) and returns the parsed JSON body; throws KubeApiError. */
  getJson(path: string, options?: KubeRequestOptions): Promise<unknown>;
  /**
   * Opens a streaming GET (a watch); resolves with the 200 response whose body is the stream;
   * throws KubeApiError for any other status.
   */
  openStream(path: string, options?: KubeRequestOptions): Promise<Response>;
}
