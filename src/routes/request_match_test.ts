import { assertEquals } from "@std/assert";
import { matchTest } from "./request_match.ts";
import { RequestView } from "./request_view.ts";
import type { NameValueMatch, RouteMatch } from "./types.ts";

const exact = (name: string, value: string): NameValueMatch => ({ type: "Exact", name, value });

function view(url: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  return new RequestView({
    method: init.method ?? "GET",
    url,
    headers: new Headers(init.headers ?? {}),
  });
}

function match(partial: Partial<RouteMatch>): RouteMatch {
  return {
    path: { type: "PathPrefix", value: "/" },
    headers: [],
    queryParams: [],
    ...partial,
  };
}

Deno.test("matchTest() ANDs path, method, headers and query parameters", () => {
  const test = matchTest(match({
    path: { type: "PathPrefix", value: "/api" },
    method: "POST",
    headers: [exact("X-Version", "v2")],
    queryParams: [exact("debug", "1")],
  }));
  const headers = { "x-version": "v2" };
  assertEquals(test(view("http://a/api/x?debug=1", { method: "POST", headers })), true);
  assertEquals(test(view("http://a/api/x?debug=1", { method: "GET", headers })), false);
  assertEquals(test(view("http://a/apix?debug=1", { method: "POST", headers })), false);
  assertEquals(test(view("http://a/api/x?debug=2", { method: "POST", headers })), false);
  assertEquals(test(view("http://a/api/x?debug=1", { method: "POST" })), false);
});

Deno.test("matchTest() compares header names case-insensitively and values exactly", () => {
  const test = matchTest(match({ headers: [exact("x-env", "Prod")] }));
  assertEquals(test(view("http://a/", { headers: { "X-ENV": "Prod" } })), true);
  assertEquals(test(view("http://a/", { headers: { "x-env": "prod" } })), false);
});

Deno.test("matchTest() keeps only the first entry of a repeated name", () => {
  const headers = matchTest(match({ headers: [exact("x-a", "1"), exact("X-A", "2")] }));
  assertEquals(headers(view("http://a/", { headers: { "x-a": "1" } })), true);
  // Query parameter names are exact: `Q` and `q` are two parameters.
  const params = matchTest(match({ queryParams: [exact("q", "1"), exact("q", "2")] }));
  assertEquals(params(view("http://a/?q=1")), true);
  assertEquals(params(view("http://a/?q=2")), false);
});

Deno.test("matchTest() reads the first value of a repeated query parameter, decoded", () => {
  const test = matchTest(match({ queryParams: [exact("name", "a b")] }));
  assertEquals(test(view("http://a/?name=a%20b&name=c")), true);
  assertEquals(test(view("http://a/?name=c&name=a%20b")), false);
});

Deno.test("matchTest() decides on the path with dot segments resolved", () => {
  const test = matchTest(match({ path: { type: "PathPrefix", value: "/admin" } }));
  assertEquals(test(view("http://a/public/../admin/users")), true);
  assertEquals(test(view("http://a/admin/../public")), false);
});

Deno.test("matchTest() supports RegularExpression for headers, whole value", () => {
  const test = matchTest(match({
    headers: [{ type: "RegularExpression", name: "user-agent", value: "curl/.*" }],
  }));
  assertEquals(test(view("http://a/", { headers: { "user-agent": "curl/8.5" } })), true);
  assertEquals(test(view("http://a/", { headers: { "user-agent": "x curl/8.5" } })), false);
  assertEquals(test(view("http://a/")), false);
});
