import { assert, assertEquals } from "@std/assert";
import { drainSince, drainTag, isOwnTag } from "./drain_marker.ts";

Deno.test("drainTag() and drainSince() round-trip the time a drain started", () => {
  const tag = drainTag("podgate", 1_764_000_000_123.7);
  assertEquals(tag, "podgate:drain:1764000000123");
  assertEquals(drainSince(tag, "podgate"), 1_764_000_000_123);
  assertEquals(drainSince("podgate", "podgate"), undefined);
  assertEquals(drainSince("podgate:drain:soon", "podgate"), undefined);
  assertEquals(drainSince("team-a:drain:1", "podgate"), undefined, "another tag's drain");
});

Deno.test("isOwnTag() knows podgate's plain and draining tags, nothing else", () => {
  assert(isOwnTag("podgate", "podgate"));
  assert(isOwnTag("podgate:drain:1764000000000", "podgate"));
  assert(!isOwnTag("podgate-other", "podgate"));
  assert(!isOwnTag("", "podgate"));
});
