import { assertEquals } from "@std/assert";
import { requestHead } from "./request_head.ts";

Deno.test("requestHead() puts the backend's address as Host only when the headers carry none", () => {
  assertEquals(
    requestHead("GET", "/a?b=1", { accept: "*/*" }, "10.0.0.1:8080"),
    "GET /a?b=1 HTTP/1.1\r\nhost: 10.0.0.1:8080\r\naccept: */*\r\n\r\n",
  );
  assertEquals(
    requestHead("DELETE", "/", { host: "shop.example", "x-a": "1" }, "10.0.0.1:8080"),
    "DELETE / HTTP/1.1\r\nhost: shop.example\r\nx-a: 1\r\n\r\n",
  );
});

Deno.test("requestHead() sends a list value as repeated fields", () => {
  assertEquals(
    requestHead("GET", "/", { host: "h", "set-cookie": ["a=1", "b=2"] }, "x:1"),
    "GET / HTTP/1.1\r\nhost: h\r\nset-cookie: a=1\r\nset-cookie: b=2\r\n\r\n",
  );
});

Deno.test("requestHead() encodes a non-ASCII header value byte for byte, not as UTF-8", () => {
  const head = requestHead("GET", "/", { host: "h", "x-name": "caf\u00e9" }, "x:1");
  const expected = "GET / HTTP/1.1\r\nhost: h\r\nx-name: caf\u00e9\r\n\r\n";
  assertEquals(head, Uint8Array.from(expected, (c) => c.charCodeAt(0)));
  assertEquals((head as Uint8Array).length, expected.length, "é is one byte (0xE9)");
});

Deno.test("requestHead() never sends framing fields, and says an empty POST/PUT/PATCH is empty", () => {
  const framing = { host: "h", "content-length": "10", "transfer-encoding": "chunked" };
  assertEquals(requestHead("GET", "/", framing, "x:1"), "GET / HTTP/1.1\r\nhost: h\r\n\r\n");
  for (const method of ["POST", "PUT", "PATCH"]) {
    assertEquals(
      requestHead(method, "/", framing, "x:1"),
      `${method} / HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n`,
    );
  }
  assertEquals(
    requestHead("DELETE", "/", { host: "h" }, "x:1"),
    "DELETE / HTTP/1.1\r\nhost: h\r\n\r\n",
  );
});

Deno.test("requestHead() frames a body from the verdict, never from the client's fields", () => {
  const client = { host: "h", "content-length": "10", "transfer-encoding": "chunked" };
  assertEquals(
    requestHead("POST", "/", client, "x:1", 5),
    "POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 5\r\n\r\n",
  );
  assertEquals(
    requestHead("PUT", "/", client, "x:1", "chunked"),
    "PUT / HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n",
  );
});
