import { assertEquals } from "@std/assert";
import { pathProblem, pathTest, prefixMatches } from "./path_match.ts";
import type { PathMatch } from "./types.ts";

// [match type, match value, request path, matches?] — the spec's own examples first.
const CASES: Array<[PathMatch["type"], string, string, boolean]> = [
  ["Exact", "/abc", "/abc", true],
  ["Exact", "/abc", "/abc/", false],
  ["Exact", "/abc", "/Abc", false],
  ["Exact", "/abc", "/abcd", false],
  ["PathPrefix", "/abc", "/abc", true],
  ["PathPrefix", "/abc", "/abc/", true],
  ["PathPrefix", "/abc", "/abc/def", true],
  ["PathPrefix", "/abc", "/abcd", false],
  ["PathPrefix", "/foo", "/foobar", false], // segments, not characters
  ["PathPrefix", "/foo/", "/foo", true], // a trailing slash in the prefix is ignored
  ["PathPrefix", "/foo/", "/foo/bar", true],
  ["PathPrefix", "/foo/", "/foobar", false],
  ["PathPrefix", "/Foo", "/foo", false], // case-sensitive
  ["PathPrefix", "/", "/anything/at/all", true],
  ["PathPrefix", "/", "/", true],
  ["PathPrefix", "/v1/api", "/v1", false],
  ["RegularExpression", "/item/[0-9]+", "/item/42", true],
  ["RegularExpression", "/item/[0-9]+", "/item/42/x", false], // the whole path
  ["RegularExpression", "/a|/b", "/b", true],
];

Deno.test("pathTest() follows the spec's Exact, PathPrefix and RegularExpression examples", () => {
  for (const [type, value, path, expected] of CASES) {
    assertEquals(pathTest({ type, value })(path), expected, `${type} ${value} vs ${path}`);
    if (type === "PathPrefix") assertEquals(prefixMatches(value, path), expected);
  }
});

Deno.test("pathProblem() refuses what the HTTPRoute CRD refuses", () => {
  assertEquals(pathProblem("PathPrefix", "/ok/path"), undefined);
  assertEquals(pathProblem("Exact", "relative"), "expected an absolute path starting with /");
  assertEquals(pathProblem("PathPrefix", "/a//b"), "must not contain //");
  assertEquals(pathProblem("PathPrefix", "/a/../b"), "must not contain . or .. segments");
  assertEquals(pathProblem("Exact", "/a%2Fb"), "must not contain %2F, # or ?");
  assertEquals(pathProblem("RegularExpression", "/[0-9]+"), undefined);
  assertEquals(typeof pathProblem("RegularExpression", "/(unclosed"), "string");
});
