// The production transport: Tencent Cloud's own SDK (CommonClient, TC3-HMAC-SHA256 signing).
// It has no retry, throttle or working timeout under Bun; the client adds those, and every call
// carries an AbortSignal, which both runtimes honour.
import { ClbApiError, type ClbTransport, CLIENT_ERRORS } from "./api.ts";

export const DEFAULT_CLB_ENDPOINT = "https://clb.tencentcloudapi.com";
export const CLB_API_VERSION = "2018-03-17";

export interface SdkTransportOptions {
  secretId: string;
  secretKey: string;
  region: string;
  /** `https://clb.tencentcloudapi.com` by default; tests and private clouds point elsewhere. */
  endpoint?: string;
}

/** Splits an endpoint URL into the SDK's `protocol` and `endpoint` (host[:port]). */
export function endpointParts(url: string): { protocol: string; host: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(
      `Cannot use CLB endpoint "${url}": expected a URL like https://host[:port]`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`Cannot use CLB endpoint "${url}": expected http:// or https://`);
  }
  if (parsed.pathname !== "/" || parsed.search || parsed.username) {
    throw new TypeError(
      `Cannot use CLB endpoint "${url}": the API lives at the root, so give scheme, host and port only`,
    );
  }
  return { protocol: `${parsed.protocol}//`, host: parsed.host };
}

interface SdkError {
  code?: unknown;
  httpCode?: unknown;
  requestId?: unknown;
  message?: unknown;
}

/** Turns whatever the SDK threw into a ClbApiError with a code the client can act on. */
export function toClbApiError(action: string, error: unknown, signal: AbortSignal): ClbApiError {
  const e = (error ?? {}) as SdkError;
  const message = typeof e.message === "string" ? e.message : String(error);
  const requestId = typeof e.requestId === "string" ? e.requestId : "";
  // The API's own error: HTTP 200 with Response.Error {Code, Message}.
  if (typeof e.code === "string" && e.code !== "") {
    return new ClbApiError(action, e.code, message, { requestId, cause: error });
  }
  if (typeof e.httpCode === "number") {
    return new ClbApiError(action, CLIENT_ERRORS.httpStatus, `HTTP ${e.httpCode} ${message}`, {
      httpStatus: e.httpCode,
      cause: error,
    });
  }
  if (signal.aborted) {
    return new ClbApiError(action, CLIENT_ERRORS.timeout, `no answer in time (${message})`, {
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new ClbApiError(action, CLIENT_ERRORS.badResponse, `not JSON: ${message}`, {
      cause: error,
    });
  }
  return new ClbApiError(action, CLIENT_ERRORS.network, message, { cause: error });
}

/**
 * Builds the SDK-backed transport. The SDK is imported here, lazily: it costs start-up time, and
 * under Deno one of its dependencies reads the whole environment at import.
 */
export async function createSdkTransport(options: SdkTransportOptions): Promise<ClbTransport> {
  const { protocol, host } = endpointParts(options.endpoint ?? DEFAULT_CLB_ENDPOINT);
  const { CommonClient } = await import("tencentcloud-sdk-nodejs-common");
  const client = new CommonClient("clb.tencentcloudapi.com", CLB_API_VERSION, {
    credential: { secretId: options.secretId, secretKey: options.secretKey },
    region: options.region,
    profile: { httpProfile: { endpoint: host, protocol, reqMethod: "POST" } },
  });
  return {
    async request(action, params, { signal }) {
      try {
        return await client.request(action, params, { signal });
      } catch (error) {
        throw toClbApiError(action, error, signal);
      }
    },
  };
}
