import { assertEquals, assertMatch } from "@std/assert";
import { type HeadLimits, headLimitsExceeded as check } from "./head_limits.ts";

// The record the handler passes is the runtime's copy of the Headers (Headers.forEach joins).
const record = (h: Headers) => {
  const r: Record<string, string> = {};
  h.forEach((v, k) => (r[k] = v));
  return r;
};
const headLimitsExceeded = (h: Headers, limits: HeadLimits) => check(record(h), limits);

const fields = (n: number, value = "v") => {
  const h = new Headers();
  for (let i = 0; i < n; i++) h.set(`x-h${i}`, value);
  return h;
};

Deno.test("headLimitsExceeded() lets a head within both limits through", () => {
  assertEquals(
    headLimitsExceeded(fields(100), { maxHeaderBytes: 16_384, maxHeaderCount: 100 }),
    undefined,
  );
});

Deno.test("headLimitsExceeded() refuses one field more than the count allows", () => {
  const reason = headLimitsExceeded(fields(101), { maxHeaderBytes: 0, maxHeaderCount: 100 });
  assertEquals(reason, "101 header fields, more than the 100 allowed");
});

Deno.test("headLimitsExceeded() counts name, value and 4 bytes per field", () => {
  // "x-h0" (4) + value (8) + 4 = 16 bytes per field.
  const limits = { maxHeaderBytes: 32, maxHeaderCount: 0 };
  assertEquals(headLimitsExceeded(fields(2, "12345678"), limits), undefined);
  assertEquals(
    headLimitsExceeded(fields(2, "123456789"), limits),
    "34 bytes of header fields, more than the 32 allowed",
  );
});

Deno.test("headLimitsExceeded() counts a repeated field once, as Headers joins it", () => {
  const h = new Headers([["accept", "a"], ["accept", "b"]]);
  assertEquals(headLimitsExceeded(h, { maxHeaderBytes: 0, maxHeaderCount: 1 }), undefined);
  assertMatch(headLimitsExceeded(h, { maxHeaderBytes: 13, maxHeaderCount: 0 }) ?? "", /^14 bytes/);
});

Deno.test("headLimitsExceeded() checks nothing when both limits are 0", () => {
  assertEquals(
    headLimitsExceeded(fields(1000, "x".repeat(100)), { maxHeaderBytes: 0, maxHeaderCount: 0 }),
    undefined,
  );
});

Deno.test("headLimitsExceeded() counts each Set-Cookie value of a record that keeps them apart", () => {
  const fields = { "set-cookie": ["a=1", "b=2"], host: "x" };
  assertEquals(check(fields, { maxHeaderBytes: 0, maxHeaderCount: 3 }), undefined);
  assertEquals(
    check(fields, { maxHeaderBytes: 0, maxHeaderCount: 2 }),
    "3 header fields, more than the 2 allowed",
  );
});
