import { assertEquals } from "../../tests/support/assert.ts";
import { requestFraming } from "./framing.ts";

const kind = (method: string, cl: string | null, te: string | null) =>
  requestFraming(method, cl, te).kind;

Deno.test("framing: no framing headers means no body, whatever the method", () => {
  for (const method of ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]) {
    assertEquals(kind(method, null, null), "none");
  }
});

Deno.test("framing: Content-Length 0 is no body, on GET too", () => {
  assertEquals(kind("GET", "0", null), "none");
  assertEquals(kind("POST", "0", null), "none");
  assertEquals(kind("POST", "000", null), "none");
});

Deno.test("framing: a plain-digit Content-Length delimits the body", () => {
  assertEquals(requestFraming("POST", "10", null), { kind: "length", length: 10 });
  assertEquals(requestFraming("DELETE", "3", null), { kind: "length", length: 3 });
  assertEquals(requestFraming("OPTIONS", "007", null), { kind: "length", length: 7 });
});

Deno.test("framing: chunked, in any case, on a method that may carry a body", () => {
  assertEquals(kind("POST", null, "chunked"), "chunked");
  assertEquals(kind("PUT", null, "Chunked"), "chunked");
  assertEquals(kind("PATCH", null, "CHUNKED"), "chunked");
});

Deno.test("framing: a body on GET or HEAD is refused, never dropped", () => {
  for (const method of ["GET", "HEAD"]) {
    const byLength = requestFraming(method, "10", null);
    assertEquals(byLength.kind, "reject");
    assertEquals(kind(method, null, "chunked"), "reject");
  }
});

Deno.test("framing: both Content-Length and Transfer-Encoding are refused", () => {
  const verdict = requestFraming("POST", "5", "chunked");
  assertEquals(verdict, {
    kind: "reject",
    reason: "both Content-Length and Transfer-Encoding are present",
  });
  assertEquals(kind("POST", "0", "chunked"), "reject");
});

Deno.test("framing: a Content-Length that is not plain digits is refused", () => {
  for (const value of ["+5", "-1", "0x10", "5 ", " 5", "5.0", "1e3", "", "five", "1".repeat(16)]) {
    assertEquals(kind("POST", value, null), "reject", value);
  }
});

Deno.test("framing: a repeated Content-Length is refused, equal or not", () => {
  const same = requestFraming("POST", "10, 10", null);
  assertEquals(same, { kind: "reject", reason: "Content-Length is repeated" });
  assertEquals(kind("POST", "10, 11", null), "reject");
  assertEquals(kind("POST", "10,10", null), "reject");
});

Deno.test("framing: any Transfer-Encoding but exactly chunked is refused", () => {
  for (
    const value of [
      "gzip",
      "gzip, chunked",
      "chunked, gzip",
      "chunked, chunked",
      "identity",
      "xchunked",
      "chunked;q=1",
      "chunk",
      "",
    ]
  ) {
    assertEquals(kind("POST", null, value), "reject", value);
  }
});

Deno.test("framing: a refusal names what was wrong, with the value quoted and cut short", () => {
  const verdict = requestFraming("POST", null, "x".repeat(100));
  assertEquals(verdict.kind, "reject");
  if (verdict.kind === "reject") {
    assertEquals(
      verdict.reason.startsWith('Transfer-Encoding must be exactly "chunked", not "x'),
      true,
    );
    assertEquals(verdict.reason.length < 130, true);
  }
});

Deno.test("framing: a repeated Host is refused; one Host, with a port or IPv6, is fine", () => {
  assertEquals(requestFraming("GET", null, null, "a.example, b.example"), {
    kind: "reject",
    reason: "Host is repeated",
  });
  for (const host of ["a.example", "a.example:8080", "[::1]:80", null]) {
    assertEquals(requestFraming("GET", null, null, host).kind, "none", String(host));
  }
});

Deno.test("framing: a Host that is not host[:port] is refused, naming the value", () => {
  for (
    const host of ["a b", "a/b", "user@a.example", "a.example:80x", "a\\b", "a%zz", "[::1", "a?b"]
  ) {
    const verdict = requestFraming("GET", null, null, host);
    assertEquals(verdict.kind, "reject", host);
    assertEquals(
      (verdict as { reason: string }).reason,
      `Host is not a host[:port]: ${JSON.stringify(host)}`,
    );
  }
  // Valid by RFC 3986 though unusual: empty (a target without authority), sub-delims, escapes,
  // an empty port, an IPv6 zone (RFC 6874).
  for (
    const host of [
      "",
      "a~b!$&'()*+;=",
      "caf%C3%A9.example",
      "a.example:",
      "[v1.x]",
      "[fe80::1%25eth0]:80",
    ]
  ) {
    assertEquals(requestFraming("GET", null, null, host).kind, "none", host);
  }
});
