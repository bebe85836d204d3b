import { assertEquals } from "@std/assert";
import { memoryLogger } from "../../log.ts";
import { teeLogger } from "./tee_logger.ts";

Deno.test("teeLogger() hands the listed messages to the listener and every line to the logger", () => {
  const inner = memoryLogger();
  const heard: string[] = [];
  const logger = teeLogger(inner, new Set(["backend_added"]), (msg, fields) => {
    heard.push(`${msg} ${fields?.backend}`);
  });
  logger.info("backend_added", { backend: "10.0.0.1:80" });
  logger.info("request", { path: "/" });
  logger.raw("info", "request", '"path":"/x"');
  logger.warn("backend_added", { backend: "10.0.0.2:80" });
  assertEquals(heard, ["backend_added 10.0.0.1:80", "backend_added 10.0.0.2:80"]);
  assertEquals(inner.lines.map((l) => l.msg), [
    "backend_added",
    "request",
    "request",
    "backend_added",
  ]);
});

Deno.test("teeLogger() keeps logging when the listener throws", () => {
  const inner = memoryLogger();
  const logger = teeLogger(inner, new Set(["draining"]), () => {
    throw new Error("boom");
  });
  logger.info("draining");
  assertEquals(inner.lines.map((l) => l.msg), ["draining"]);
});
