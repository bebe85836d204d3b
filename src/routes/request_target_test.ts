import { assertEquals } from "@std/assert";
import { hostOf, pathOf, portOf, queryOf, withoutDotSegments } from "./request_target.ts";

Deno.test("hostOf() lowercases, drops the port and a trailing dot, keeps IPv6 brackets", () => {
  const cases: Array<[string, string]> = [
    ["http://shop.example.com/x", "shop.example.com"],
    ["http://SHOP.Example.COM:8080/a/../b", "shop.example.com"],
    ["http://shop.example.com.:80/", "shop.example.com"],
    ["http://[::1]:9/x", "[::1]"],
    ["http://[fd00::5]/x", "[fd00::5]"],
    ["http://localhost:45985", "localhost"],
    ["/x", ""], // Bun: HTTP/1.0 without Host
  ];
  for (const [url, host] of cases) assertEquals(hostOf(url), host, url);
});

Deno.test("portOf() reads the authority's port", () => {
  assertEquals(portOf("http://a.example.com:8080/x"), 8080);
  assertEquals(portOf("http://a.example.com/x:9"), undefined);
  assertEquals(portOf("http://[::1]:9/x"), 9);
  assertEquals(portOf("http://[::1]/x"), undefined);
  assertEquals(portOf("/x"), undefined);
});

Deno.test("pathOf() and queryOf() split the target without a URL object", () => {
  assertEquals(pathOf("http://a/foo/bar?x=1&y=2"), "/foo/bar");
  assertEquals(queryOf("http://a/foo/bar?x=1&y=2"), "x=1&y=2");
  assertEquals(pathOf("http://a"), "/");
  assertEquals(queryOf("http://a/p"), "");
  assertEquals(pathOf("/p?q"), "/p");
  assertEquals(queryOf("/p?q"), "q");
  assertEquals(pathOf("http://a/p?u=http://b/c"), "/p");
});

Deno.test("withoutDotSegments() resolves . and .. as a backend would, and leaves the rest", () => {
  const cases: Array<[string, string]> = [
    ["/a/../b", "/b"],
    ["/public/../admin", "/admin"],
    ["/a/./b", "/a/b"],
    ["/a/b/..", "/a/"],
    ["/a/.", "/a/"],
    ["/../x", "/x"],
    ["/a/..b/c", "/a/..b/c"],
    ["/foo", "/foo"],
  ];
  for (const [path, out] of cases) assertEquals(withoutDotSegments(path), out, path);
});

Deno.test("withoutDotSegments() reads %2e as a dot, as new URL() does", () => {
  const cases = [
    "/public/%2e%2e/admin",
    "/public/%2E%2E/admin",
    "/public/.%2e/admin",
    "/public/%2e./admin",
    "/a/%2e/b",
    "/a/%2e",
    "/a/b/%2e%2e",
    "/a/%2e%2e%2e/b",
    "/a/%2ex/b",
    "/a/x%2e%2e/b",
  ];
  for (const path of cases) {
    assertEquals(withoutDotSegments(path), new URL(`http://h${path}`).pathname, path);
  }
});
