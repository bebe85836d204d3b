import { assertEquals } from "../../tests/support/assert.ts";
import { upstreamTarget } from "./upstream_target.ts";

Deno.test("upstreamTarget() keeps an ASCII target as it is, with its query", () => {
  assertEquals(upstreamTarget("http://shop.example.com/a/b?c=1&d=%20"), "/a/b?c=1&d=%20");
  assertEquals(upstreamTarget("http://shop.example.com"), "/");
  assertEquals(upstreamTarget("http://[::1]:8080/x"), "/x");
});

Deno.test("upstreamTarget() takes Bun's relative URL whole (a request without a usable Host)", () => {
  assertEquals(upstreamTarget("/public/admin?x=1"), "/public/admin?x=1");
});

Deno.test("upstreamTarget() drops a fragment, as fetch does", () => {
  assertEquals(upstreamTarget("http://h/admin#/../pub"), "/admin");
});

Deno.test("upstreamTarget() percent-encodes non-ASCII as UTF-8, so no low byte can spell CR LF", () => {
  assertEquals(upstreamTarget("http://h/café"), "/caf%C3%A9");
  // U+010D U+010A: low bytes 0x0D 0x0A. They must go out as their UTF-8 escapes.
  const hostile = "http://h/a\u0120HTTP/1.1\u010d\u010aX-Injected:\u01201";
  const target = upstreamTarget(hostile);
  assertEquals(target, "/a%C4%A0HTTP/1.1%C4%8D%C4%8AX-Injected:%C4%A01");
  assertEquals(/[\r\n ]/.test(target), false);
  assertEquals(upstreamTarget("http://h/a b\tc"), "/a%20b%09c");
});
