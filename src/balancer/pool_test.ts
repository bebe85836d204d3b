import { assertEquals } from "@std/assert";
import { Pool } from "./pool.ts";

Deno.test("Pool.update() reports added and removed backends", () => {
  const pool = new Pool();
  assertEquals(pool.update([{ address: "a:1" }, { address: "b:1" }]), {
    added: ["a:1", "b:1"],
    removed: [],
  });
  assertEquals(pool.update([{ address: "b:1" }, { address: "c:1" }]), {
    added: ["c:1"],
    removed: ["a:1"],
  });
  assertEquals(pool.all().map((u) => u.address), ["b:1", "c:1"]);
});

Deno.test("Pool.update() keeps a backend's counters across snapshots", () => {
  const pool = new Pool();
  pool.update([{ address: "a:1" }]);
  pool.all()[0]!.requestsForwarded = 7;
  pool.update([{ address: "a:1" }, { address: "b:1" }]);
  assertEquals(pool.all()[0]!.requestsForwarded, 7);
});

Deno.test("Pool.routable() leaves terminating backends out while a ready one exists", () => {
  const pool = new Pool();
  pool.update([{ address: "a:1" }, { address: "b:1", terminating: true }]);
  assertEquals(pool.routable().map((u) => u.address), ["a:1"]);
  assertEquals(pool.all().length, 2);
});

Deno.test("Pool.routable() falls back to terminating backends when none is ready", () => {
  const pool = new Pool();
  pool.update([{ address: "a:1", terminating: true }]);
  assertEquals(pool.routable().map((u) => u.address), ["a:1"]);
});

Deno.test("Pool.synced turns true with the first snapshot, even an empty one", () => {
  const pool = new Pool();
  assertEquals(pool.synced, false);
  pool.update([]);
  assertEquals(pool.synced, true);
});

Deno.test("Pool.update() stamps backends that join after the first snapshot, for slow start", () => {
  const pool = new Pool({ now: () => 42 });
  pool.update([{ address: "a:1" }]);
  pool.update([{ address: "a:1" }, { address: "b:1" }]);
  assertEquals(pool.all().map((u) => u.addedAt), [undefined, 42]);
});
