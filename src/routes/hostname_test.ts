import { assertEquals } from "@std/assert";
import {
  hostnameMatches,
  hostnameProblem,
  intersectHostnames,
  wildcardSuffixes,
} from "./hostname.ts";

Deno.test("hostnameMatches() takes exact names and *. suffixes, never the bare parent", () => {
  const cases: Array<[string, string, boolean]> = [
    ["shop.example.com", "shop.example.com", true],
    ["shop.example.com", "api.example.com", false],
    ["*.example.com", "shop.example.com", true],
    ["*.example.com", "a.b.example.com", true], // a suffix: any number of labels
    ["*.example.com", "example.com", false],
    ["*.example.com", "badexample.com", false],
    ["*.example.com", ".example.com", false],
  ];
  for (const [name, host, expected] of cases) {
    assertEquals(hostnameMatches(name, host), expected, `${name} vs ${host}`);
  }
});

Deno.test("wildcardSuffixes() lists the suffixes most specific first", () => {
  assertEquals(wildcardSuffixes("a.b.example.com"), [".b.example.com", ".example.com", ".com"]);
  assertEquals(wildcardSuffixes("localhost"), []);
});

Deno.test("hostnameProblem() refuses IPs, ports, uppercase and a wildcard not in front", () => {
  assertEquals(hostnameProblem("shop.example.com"), undefined);
  assertEquals(hostnameProblem("*.example.com"), undefined);
  assertEquals(hostnameProblem("10.0.0.1"), "expected a hostname, not an IP address");
  assertEquals(hostnameProblem("shop.example.com:8080"), "expected a hostname, not an IP address");
  for (const bad of ["Shop.example.com", "a.*.example.com", "*", "-a.example.com", ""]) {
    assertEquals(typeof hostnameProblem(bad), "string", bad);
  }
});

Deno.test("intersectHostnames() keeps what a listener's hostname allows", () => {
  assertEquals(intersectHostnames(undefined, ["a.example.com"]), ["a.example.com"]);
  assertEquals(intersectHostnames("a.example.com", []), ["a.example.com"]);
  assertEquals(
    intersectHostnames("*.example.com", ["test.example.com", "test.example.net"]),
    ["test.example.com"],
  );
  assertEquals(intersectHostnames("test.example.com", ["*.example.com"]), ["test.example.com"]);
  assertEquals(intersectHostnames("*.example.com", ["*.example.com"]), ["*.example.com"]);
  assertEquals(intersectHostnames("*.example.com", ["example.com"]), []);
});
