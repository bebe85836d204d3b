import { assertEquals } from "@std/assert";
import { Hono } from "hono";
import { frontDoor, pathOf } from "./app.ts";

Deno.test("pathOf() takes the path without the query", () => {
  assertEquals(pathOf("http://h:1/a/b?x=1"), "/a/b");
  assertEquals(pathOf("http://h:1/health"), "/health");
  assertEquals(pathOf("http://h:1"), "/");
});

Deno.test("frontDoor() answers admin paths itself and forwards everything else", async () => {
  const admin = new Hono().get("/health", (c) => c.text("admin"));
  const seen: string[] = [];
  const door = frontDoor(
    (req) => (seen.push(req.url), Promise.resolve(new Response("proxied"))),
    admin,
  );
  assertEquals(await (await door(new Request("http://h/health"), "")).text(), "admin");
  assertEquals(await (await door(new Request("http://h/health/x"), "")).text(), "proxied");
  assertEquals(
    await (await door(new Request("http://h/health", { method: "POST" }), "")).text(),
    "proxied",
  );
  assertEquals(seen.length, 2);
});
