import { assert, assertEquals } from "@std/assert";
import {
  downstreamResponseHeaders,
  endToEndList,
  stripHopByHop,
  upstreamRequestHeaders,
  upstreamRequestRecord,
} from "./headers.ts";

const info = { clientIp: "192.0.2.7", proto: "http", preserveHost: true, acceptEncoding: "gzip" };

Deno.test("upstreamRequestHeaders() strips hop-by-hop headers and those named in Connection", () => {
  const out = upstreamRequestHeaders(
    new Headers({
      connection: "keep-alive, X-Secret-Hop",
      "keep-alive": "timeout=5",
      te: "trailers",
      upgrade: "h2c",
      "proxy-authorization": "Basic eA==",
      "proxy-connection": "keep-alive",
      "x-secret-hop": "1",
      "x-app": "kept",
      host: "shop.example",
    }),
    info,
  );
  for (
    const name of [
      "connection",
      "keep-alive",
      "te",
      "upgrade",
      "proxy-authorization",
      "proxy-connection",
      "x-secret-hop",
    ]
  ) {
    assert(!out.has(name), `${name} crossed the proxy`);
  }
  assertEquals(out.get("x-app"), "kept");
  assertEquals(out.get("host"), "shop.example");
});

Deno.test("upstreamRequestHeaders() sets X-Forwarded-For, -Proto and -Host", () => {
  const out = upstreamRequestHeaders(new Headers({ host: "shop.example:8080" }), info);
  assertEquals(out.get("x-forwarded-for"), "192.0.2.7");
  assertEquals(out.get("x-forwarded-proto"), "http");
  assertEquals(out.get("x-forwarded-host"), "shop.example:8080");
});

Deno.test("upstreamRequestHeaders() appends to an existing X-Forwarded-For chain", () => {
  const out = upstreamRequestHeaders(
    new Headers({ "x-forwarded-for": "203.0.113.1", "x-forwarded-proto": "https" }),
    info,
  );
  assertEquals(out.get("x-forwarded-for"), "203.0.113.1, 192.0.2.7");
  assertEquals(out.get("x-forwarded-proto"), "https");
});

Deno.test("upstreamRequestHeaders() drops Host when it is not preserved", () => {
  const out = upstreamRequestHeaders(new Headers({ host: "shop.example" }), {
    ...info,
    preserveHost: false,
  });
  assert(!out.has("host"));
  assertEquals(out.get("x-forwarded-host"), "shop.example");
});

Deno.test("upstreamRequestHeaders() sends the Accept-Encoding the runtime chose", () => {
  const headers = new Headers({ "accept-encoding": "gzip, br" });
  assertEquals(
    upstreamRequestHeaders(headers, { ...info, acceptEncoding: "identity" }).get("accept-encoding"),
    "identity",
  );
  assert(
    !upstreamRequestHeaders(headers, { ...info, acceptEncoding: null }).has("accept-encoding"),
  );
});

Deno.test("downstreamResponseHeaders() strips hop-by-hop headers and keeps every Set-Cookie", () => {
  const upstream = new Headers([
    ["connection", "close, x-hop"],
    ["x-hop", "1"],
    ["transfer-encoding", "chunked"],
    ["content-encoding", "gzip"],
    ["set-cookie", "a=1"],
    ["set-cookie", "b=2"],
  ]);
  const out = downstreamResponseHeaders(upstream);
  assert(!out.has("connection") && !out.has("x-hop") && !out.has("transfer-encoding"));
  assertEquals(out.get("content-encoding"), "gzip");
  assertEquals(out.getSetCookie(), ["a=1", "b=2"]);
});

Deno.test("upstreamRequestRecord() gives a plain-object copy the same headers as upstreamRequestHeaders()", () => {
  const incoming = () =>
    new Headers({
      connection: "keep-alive, X-Secret-Hop",
      "keep-alive": "timeout=5",
      te: "trailers",
      "transfer-encoding": "chunked",
      "proxy-authorization": "Basic eA==",
      "x-secret-hop": "1",
      "x-app": "kept",
      "x-forwarded-for": "203.0.113.1",
      "accept-encoding": "gzip, br",
      host: "shop.example",
    });
  for (
    const variant of [
      info,
      { ...info, preserveHost: false },
      { ...info, acceptEncoding: null },
      { ...info, acceptEncoding: "identity" },
    ]
  ) {
    const expected = [...upstreamRequestHeaders(incoming(), variant)].sort();
    const record = Object.fromEntries(incoming());
    const got = Object.entries(upstreamRequestRecord(record, variant)).sort();
    assertEquals(got, expected, JSON.stringify(variant));
  }
});

Deno.test("stripHopByHop() with a plain-object copy deletes the hop-by-hop headers it names, and only those", () => {
  const headers = new Headers({
    connection: "close, X-Hop",
    "keep-alive": "timeout=5",
    "x-hop": "1",
    "content-type": "text/plain",
  });
  headers.append("set-cookie", "a=1");
  headers.append("set-cookie", "b=2");
  stripHopByHop(headers, Object.fromEntries(headers));
  assertEquals([...headers.keys()].filter((k) => k !== "set-cookie"), ["content-type"]);
  assertEquals(headers.getSetCookie(), ["a=1", "b=2"]);
});

Deno.test("endToEndList() drops hop-by-hop fields and those Connection names, whatever their case", () => {
  const list: [string, string][] = [
    ["Content-Type", "text/plain"],
    ["Connection", "keep-alive, X-Trace"],
    ["Keep-Alive", "timeout=5"],
    ["x-trace", "1"],
    ["Transfer-Encoding", "chunked"],
    ["Set-Cookie", "a=1"],
    ["Set-Cookie", "b=2"],
  ];
  assertEquals(endToEndList(list), [
    ["Content-Type", "text/plain"],
    ["Set-Cookie", "a=1"],
    ["Set-Cookie", "b=2"],
  ]);
  const clean: [string, string][] = [["Date", "x"], ["Content-Length", "3"]];
  assert(endToEndList(clean) === clean, "nothing to drop: the same list, not a copy");
});
