import { assertEquals } from "@std/assert";
import { type AttemptContext, isRetryable } from "./retryable.ts";

Deno.test("isRetryable() retries only what cannot take effect twice", () => {
  const table: [string, "connect" | "timeout" | number, Partial<AttemptContext>, boolean][] = [
    ["GET", "connect", {}, true],
    ["POST", "connect", {}, true], // nothing was sent
    ["PATCH", "connect", {}, true],
    ["GET", 502, {}, true],
    ["HEAD", 503, {}, true],
    ["PUT", 504, {}, true],
    ["DELETE", "timeout", {}, true],
    ["OPTIONS", 503, {}, true],
    ["TRACE", 502, {}, true],
    ["get", 503, {}, true],
    ["POST", 503, {}, false],
    ["PATCH", "timeout", {}, false],
    ["GET", 500, {}, false],
    ["GET", 501, {}, false],
    ["GET", 429, {}, false],
    ["GET", 404, {}, false],
    ["PUT", 503, { bodyStreamed: true }, false],
    ["POST", "connect", { bodyStreamed: true }, false],
    ["GET", "connect", { clientGone: true }, false],
    ["GET", 503, { clientGone: true }, false],
  ];
  for (const [method, failure, extra, expected] of table) {
    assertEquals(
      isRetryable(failure, { method, ...extra }),
      expected,
      `${method} ${failure} ${JSON.stringify(extra)}`,
    );
  }
});
