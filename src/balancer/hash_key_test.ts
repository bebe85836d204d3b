import { assertEquals, assertMatch, assertThrows } from "@std/assert";
import { hashKey, type HashKeySource, parseHashKey } from "./hash_key.ts";

const request = (headers: Record<string, string>) => new Request("http://proxy.test/", { headers });

Deno.test("parseHashKey() reads the three config forms", () => {
  const table: [string, HashKeySource][] = [
    ["client-ip", { from: "client-ip" }],
    ["header:X-User-Id", { from: "header", name: "X-User-Id" }],
    ["cookie:session_id", { from: "cookie", name: "session_id" }],
  ];
  for (const [text, expected] of table) assertEquals(parseHashKey(text), expected);
});

Deno.test("parseHashKey() rejects anything else with the forms it accepts", () => {
  for (const text of ["", "ip", "header:", "cookie:a b", "header:X:Y", "query:id"]) {
    const error = assertThrows(() => parseHashKey(text), RangeError);
    assertMatch(error.message, /expected client-ip, header:NAME or cookie:NAME/);
  }
});

Deno.test("hashKey() takes the key from a header, a cookie or the client IP", () => {
  const context = {
    clientIp: "10.0.0.9",
    request: request({ "x-user": "alice", cookie: "theme=dark; session = s-42 ;x=1" }),
  };
  const table: [string, string | undefined][] = [
    ["client-ip", "10.0.0.9"],
    ["header:X-User", "alice"], // header names are case-insensitive
    ["cookie:session", "s-42"],
    ["cookie:x", "1"],
  ];
  for (const [source, expected] of table) {
    assertEquals(hashKey(parseHashKey(source), context), expected, source);
  }
});

Deno.test("hashKey() falls back to the client IP without the header or cookie", () => {
  const context = { clientIp: "10.0.0.9", request: request({ cookie: "other=1; session=" }) };
  assertEquals(hashKey(parseHashKey("header:X-User"), context), "10.0.0.9");
  assertEquals(hashKey(parseHashKey("cookie:session"), context), "10.0.0.9");
  assertEquals(hashKey(parseHashKey("cookie:missing"), context), "10.0.0.9");
  assertEquals(hashKey(parseHashKey("cookie:session"), {}), undefined);
  assertEquals(hashKey(parseHashKey("client-ip"), { clientIp: "" }), undefined);
});
