import { assertEquals, assertThrows } from "@std/assert";
import { endpointParts, toClbApiError } from "./sdk_transport.ts";

Deno.test("endpointParts() splits a URL into the SDK's protocol and host", () => {
  assertEquals(endpointParts("https://clb.tencentcloudapi.com"), {
    protocol: "https://",
    host: "clb.tencentcloudapi.com",
  });
  assertEquals(endpointParts("http://127.0.0.1:9000/"), {
    protocol: "http://",
    host: "127.0.0.1:9000",
  });
  assertThrows(() => endpointParts("clb.tencentcloudapi.com"), TypeError);
  assertThrows(() => endpointParts("ftp://x"), TypeError);
  assertThrows(() => endpointParts("https://x/api"), TypeError);
});

Deno.test("toClbApiError() keeps the API's code and RequestId", () => {
  const sdk = Object.assign(new Error("The SecretId is not found"), {
    code: "AuthFailure.SecretIdNotFound",
    requestId: "req-1",
  });
  const error = toClbApiError("DescribeTargets", sdk, new AbortController().signal);
  assertEquals([error.code, error.requestId, error.action], [
    "AuthFailure.SecretIdNotFound",
    "req-1",
    "DescribeTargets",
  ]);
  assertEquals(
    error.message,
    "DescribeTargets failed: AuthFailure.SecretIdNotFound: The SecretId is not found (RequestId req-1)",
  );
});

Deno.test("toClbApiError() classifies what never reached the API", () => {
  const live = new AbortController().signal;
  const timedOut = AbortSignal.abort(new DOMException("t", "TimeoutError"));
  // DOMException carries a numeric `code`: it must not be taken for an API error code.
  const aborted = new DOMException("The operation timed out.", "TimeoutError");
  assertEquals(toClbApiError("A", aborted, timedOut).code, "ClientError.Timeout");
  assertEquals(
    toClbApiError("A", Object.assign(new Error("Bad Gateway"), { httpCode: 502 }), live).httpStatus,
    502,
  );
  assertEquals(
    toClbApiError("A", new SyntaxError("Unexpected token <"), live).code,
    "ClientError.BadResponse",
  );
  assertEquals(
    toClbApiError("A", new Error("connect ECONNREFUSED"), live).code,
    "ClientError.Network",
  );
});
