import { assertEquals } from "@std/assert";
import { formatUptime } from "./uptime.ts";

Deno.test("formatUptime() prints Go-style durations", () => {
  assertEquals(formatUptime(0), "0s");
  assertEquals(formatUptime(150_400), "2m30s");
  assertEquals(formatUptime(3_723_000), "1h2m3s");
});
