import { assert, assertEquals, assertMatch, assertNotEquals } from "@std/assert";
import { dashboardHtml, dashboardPage, newNonce } from "./page.ts";

Deno.test("dashboardPage() serves the page under a policy that admits only its own nonce", async () => {
  const res = dashboardPage("abc123");
  assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
  const csp = res.headers.get("content-security-policy")!;
  assertMatch(csp, /default-src 'none'/);
  assertMatch(csp, /script-src 'nonce-abc123'(;|$)/);
  assertMatch(csp, /style-src 'nonce-abc123'(;|$)/);
  assertMatch(csp, /connect-src 'self'/);
  assert(!csp.includes("unsafe"), csp);
  const html = await res.text();
  assertEquals(html.match(/<script[^>]*>/g), ['<script nonce="abc123">']);
  assertEquals(html.match(/<style[^>]*>/g), ['<style nonce="abc123">']);
});

Deno.test("dashboardHtml() fetches nothing from elsewhere and has no inline handlers or styles", () => {
  const html = dashboardHtml("n");
  // The only URLs are the SVG namespace and the page's own relative /events.
  const urls = [...html.matchAll(/https?:\/\/[^"'\s)]+/g)].map((m) => m[0]);
  assertEquals([...new Set(urls)], ["http://www.w3.org/2000/svg"]);
  assert(!/\son[a-z]+=/.test(html.replace(/<script[\s\S]*<\/script>/, "")), "inline handler");
  assert(!/\sstyle=/.test(html), "style attribute");
  assert(!/\b(src|href)="(?!#|data:)/.test(html), "a resource to load");
  assertMatch(html, /new EventSource\("events"\)/);
});

Deno.test("newNonce() gives 16 random bytes in base64, new each time", () => {
  assertEquals(newNonce((b) => b.fill(0)), "AAAAAAAAAAAAAAAAAAAAAA==");
  assertNotEquals(newNonce(), newNonce());
});
