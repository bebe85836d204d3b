import { assertEquals } from "../../tests/support/assert.ts";
import { editHeaderRecord, editHeaders, modifiedPath, redirectLocation } from "./filters.ts";
import type { PathMatch } from "./types.ts";

const prefix = (value: string): PathMatch => ({ type: "PathPrefix", value });
const exact = (value: string): PathMatch => ({ type: "Exact", value });

Deno.test("editHeaderRecord() sets, then adds, then removes, names in any case", () => {
  const record: Record<string, string> = { "x-env": "dev", accept: "text/html", "x-drop": "1" };
  editHeaderRecord(record, {
    set: [{ name: "X-Env", value: "prod" }],
    add: [{ name: "Accept", value: "application/json" }, { name: "X-New", value: "a" }],
    remove: ["X-Drop"],
  });
  assertEquals(record, {
    "x-env": "prod",
    accept: "text/html,application/json",
    "x-new": "a",
  });
});

Deno.test("editHeaders() edits a response's headers the same way", () => {
  const headers = new Headers({ server: "backend", "cache-control": "no-store" });
  editHeaders(headers, {
    set: [{ name: "Cache-Control", value: "max-age=60" }],
    add: [{ name: "Vary", value: "Accept" }],
    remove: ["Server"],
  });
  assertEquals([...headers], [["cache-control", "max-age=60"], ["vary", "Accept"]]);
});

Deno.test("modifiedPath() replaces a PathPrefix match segment-wise, as the spec's table does", () => {
  const replace = (replacePrefixMatch: string) => ({
    type: "ReplacePrefixMatch" as const,
    replacePrefixMatch,
  });
  // The HTTPPathModifier doc's examples.
  assertEquals(modifiedPath("/foo/bar", replace("/xyz"), prefix("/foo")), "/xyz/bar");
  assertEquals(modifiedPath("/foo/bar", replace("/xyz/"), prefix("/foo")), "/xyz/bar");
  assertEquals(modifiedPath("/foo/bar", replace("/xyz"), prefix("/foo/")), "/xyz/bar");
  assertEquals(modifiedPath("/foo", replace("/xyz"), prefix("/foo")), "/xyz");
  assertEquals(modifiedPath("/foo/", replace("/xyz"), prefix("/foo")), "/xyz/");
  assertEquals(modifiedPath("/foo/bar", replace("/"), prefix("/foo")), "/bar");
  assertEquals(modifiedPath("/foo", replace("/"), prefix("/foo")), "/");
  assertEquals(modifiedPath("/anything", replace("/v2"), prefix("/")), "/v2/anything");
  assertEquals(
    modifiedPath("/a/b", { type: "ReplaceFullPath", replaceFullPath: "/x" }, exact("/a/b")),
    "/x",
  );
});

Deno.test("redirectLocation() keeps what the filter leaves out, and drops default ports", () => {
  const source = {
    scheme: "http" as const,
    host: "shop.example.com",
    port: 8080,
    path: "/old/cart",
    query: "?id=7",
  };
  assertEquals(
    redirectLocation(source, { statusCode: 302 }, prefix("/")),
    "http://shop.example.com:8080/old/cart?id=7",
  );
  // A scheme change without a port drops the request's port.
  assertEquals(
    redirectLocation(source, { scheme: "https", statusCode: 301 }, prefix("/")),
    "https://shop.example.com/old/cart?id=7",
  );
  assertEquals(
    redirectLocation(source, { scheme: "https", port: 443, statusCode: 301 }, prefix("/")),
    "https://shop.example.com/old/cart?id=7",
  );
  assertEquals(
    redirectLocation(
      source,
      {
        hostname: "new.example.com",
        port: 9443,
        path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/new" },
        statusCode: 308,
      },
      prefix("/old"),
    ),
    "http://new.example.com:9443/new/cart?id=7",
  );
  assertEquals(
    redirectLocation({ ...source, port: 80 }, { statusCode: 302 }, prefix("/")),
    "http://shop.example.com/old/cart?id=7",
  );
});

Deno.test("redirectLocation() without any host: a path reference, or none when the origin changes", () => {
  const noHost = { scheme: "http" as const, host: "", port: undefined, path: "/a/b", query: "?q" };
  const replace = { type: "ReplacePrefixMatch" as const, replacePrefixMatch: "/z" };
  assertEquals(
    redirectLocation(noHost, { path: replace, statusCode: 302 }, prefix("/a")),
    "/z/b?q",
  );
  assertEquals(
    redirectLocation(noHost, { scheme: "https", statusCode: 301 }, prefix("/")),
    undefined,
  );
  assertEquals(redirectLocation(noHost, { port: 8443, statusCode: 301 }, prefix("/")), undefined);
  // The filter's own hostname is enough.
  assertEquals(
    redirectLocation(
      noHost,
      { hostname: "b.example", scheme: "https", statusCode: 301 },
      prefix("/"),
    ),
    "https://b.example/a/b?q",
  );
});
