import { assertEquals } from "@std/assert";
import { EventLog } from "./event_log.ts";

Deno.test("EventLog.add() keeps the newest events up to its capacity", () => {
  let now = 1000;
  const log = new EventLog({ capacity: 3, now: () => now++ });
  for (const n of [1, 2, 3, 4, 5]) log.add("added", `backend ${n}`, { backend: `10.0.0.${n}:80` });
  assertEquals(log.since().map((e) => [e.seq, e.text]), [[3, "backend 3"], [4, "backend 4"], [
    5,
    "backend 5",
  ]]);
  assertEquals(log.since(4).map((e) => e.seq), [5]);
  assertEquals(log.since(5), []);
  assertEquals(log.since(0)[0]!.at, 1002);
});

Deno.test("EventLog.add() marks warnings and takes an explicit time", () => {
  const log = new EventLog({ now: () => 5 });
  const event = log.add("ejected", "ejected until 00:00:30", { warning: true, at: 1 });
  assertEquals(event, {
    seq: 1,
    at: 1,
    kind: "ejected",
    warning: true,
    text: "ejected until 00:00:30",
  });
  assertEquals(log.seq, 1);
});
