import { assertEquals } from "@std/assert";
import { createLogger } from "./log.ts";

function capture(level: "debug" | "info" | "warn" | "error" = "info") {
  const chunks: string[] = [];
  const logger = createLogger({
    level,
    write: (c) => chunks.push(c),
    now: () => 0,
    base: { cmd: "t" },
  });
  const lines = () => chunks.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return { logger, lines };
}

Deno.test("createLogger() writes one JSON object per line with msg, level and fields", () => {
  const { logger, lines } = capture();
  logger.info("request", { status: 200, path: '/a"b' });
  logger.flush();
  assertEquals(lines(), [{
    time: "1970-01-01T00:00:00.000Z",
    level: "info",
    msg: "request",
    cmd: "t",
    status: 200,
    path: '/a"b',
  }]);
});

Deno.test("createLogger() drops lines below its level", () => {
  const { logger, lines } = capture("warn");
  logger.info("quiet");
  logger.warn("loud");
  logger.flush();
  assertEquals(lines().map((l) => l.msg), ["loud"]);
});

Deno.test("createLogger() buffers lines until flushed, but writes errors at once", () => {
  const { logger, lines } = capture();
  logger.info("a");
  assertEquals(lines().length, 0);
  logger.error("b", { error: new Error("boom") });
  assertEquals(lines().map((l) => [l.msg, l.error]), [["a", undefined], ["b", "boom"]]);
});

Deno.test("createLogger().raw() writes pre-serialized members into the same line shape", () => {
  const { logger, lines } = capture();
  logger.raw("info", "request", `"status":200,"path":${JSON.stringify('/a"b')}`);
  logger.flush();
  assertEquals(lines(), [{
    time: "1970-01-01T00:00:00.000Z",
    level: "info",
    msg: "request",
    cmd: "t",
    status: 200,
    path: '/a"b',
  }]);
});
