// The contract between clb-sync and Tencent Cloud's CLB API 3.0: one signed request per action,
// answered with the `Response` object, or a ClbApiError carrying the API's code and RequestId.

export interface ClbTransport {
  /** Sends one action; resolves with `Response` (RequestId included); rejects with ClbApiError. */
  request(
    action: string,
    params: Record<string, unknown>,
    options: { signal: AbortSignal },
  ): Promise<unknown>;
}

/** Codes podgate gives failures that never reached the API or came back unreadable. */
export const CLIENT_ERRORS = {
  network: "ClientError.Network",
  timeout: "ClientError.Timeout",
  httpStatus: "ClientError.HttpStatus",
  badResponse: "ClientError.BadResponse",
} as const;

/** A failed CLB API call: the API's error code and message, and the RequestId to quote. */
export class ClbApiError extends Error {
  readonly code: string;
  readonly action: string;
  readonly requestId: string;
  /** Set for ClientError.HttpStatus. */
  readonly httpStatus: number | undefined;
  constructor(
    action: string,
    code: string,
    message: string,
    { requestId = "", httpStatus, cause }: {
      requestId?: string;
      httpStatus?: number;
      cause?: unknown;
    } = {},
  ) {
    super(
      `${action} failed: ${code}: ${message}${requestId ? ` (RequestId ${requestId})` : ""}`,
      { cause },
    );
    this.name = "ClbApiError";
    this.action = action;
    this.code = code;
    this.requestId = requestId;
    this.httpStatus = httpStatus;
  }
}

/** An async write whose task DescribeTaskStatus reported as failed (Status 1) or never ending. */
export class ClbTaskError extends Error {
  readonly action: string;
  readonly requestId: string;
  constructor(action: string, requestId: string, message: string) {
    super(`${action} task ${requestId} ${message}`);
    this.name = "ClbTaskError";
    this.action = action;
    this.requestId = requestId;
  }
}

/**
 * Worth another try: throttling, a load balancer busy with another task, and failures that never
 * reached the API or came back broken (timeouts, resets, 5xx). Everything else (AuthFailure.*,
 * InvalidParameter*, ResourceNotFound, …) fails at once.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ClbApiError)) return false;
  switch (error.code) {
    case "RequestLimitExceeded":
    case "FailedOperation.ResourceInOperating":
    case "InternalError":
    case CLIENT_ERRORS.network:
    case CLIENT_ERRORS.timeout:
      return true;
    case CLIENT_ERRORS.httpStatus:
      return (error.httpStatus ?? 0) >= 500 || error.httpStatus === 429;
    default:
      return error.code.startsWith("RequestLimitExceeded") ||
        error.code.startsWith("InternalError");
  }
}

/** Bad credentials or signature: nothing else will work either. */
export function isAuthFailure(error: unknown): boolean {
  return error instanceof ClbApiError && error.code.startsWith("AuthFailure");
}
