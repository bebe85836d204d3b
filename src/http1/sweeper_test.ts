import { assertEquals } from "@std/assert";
import { Sweeper } from "./sweeper.ts";

interface Item {
  quiet: number;
  busy: boolean;
  watched: boolean;
  name: string;
}

function setup(idleLimitMs: number, quietLimitMs: number) {
  const closed: string[] = [];
  const cut: string[] = [];
  const sweeper = new Sweeper<Item>({
    idleLimitMs,
    quietLimitMs,
    isBusy: (i) => i.busy,
    isWatched: (i) => i.watched,
    onIdleLimit: (i) => (closed.push(i.name), sweeper.delete(i)),
    onQuietLimit: (i) => (cut.push(i.name), sweeper.delete(i)),
  });
  return { sweeper, closed, cut };
}

const item = (name: string, busy = false, watched = false): Item => ({
  name,
  quiet: 0,
  busy,
  watched,
});

// Limits of 400 ms sweep every 100 ms; the timer itself is too slow to fire during a test.
Deno.test("Sweeper closes an idle item within its limit: never after it", () => {
  const { sweeper, closed } = setup(400_000, 0);
  const idle = item("idle");
  sweeper.add(idle);
  // A byte may arrive just before a sweep, so 4 sweeps (period 100 s) span 300–400 s.
  for (let i = 0; i < 3; i++) sweeper.sweep();
  assertEquals(closed, []);
  sweeper.sweep();
  assertEquals(closed, ["idle"]);
  assertEquals(sweeper.size, 0);
});

Deno.test("Sweeper cuts a silent watched item after its limit: never before it", () => {
  const { sweeper, cut } = setup(0, 400_000);
  const body = item("body", true, true);
  const waiting = item("waiting for headers", true, false);
  sweeper.add(body);
  sweeper.add(waiting);
  // 5 sweeps span 400–500 s of silence.
  for (let i = 0; i < 4; i++) sweeper.sweep();
  assertEquals(cut, []);
  body.quiet = 0; // a byte arrived
  for (let i = 0; i < 4; i++) sweeper.sweep();
  assertEquals(cut, []);
  sweeper.sweep();
  assertEquals(cut, ["body"]);
  for (let i = 0; i < 10; i++) sweeper.sweep();
  assertEquals(cut, ["body"], "an unwatched busy item is never cut");
  sweeper.delete(waiting);
});

Deno.test("Sweeper with both limits off never closes anything", () => {
  const { sweeper, closed, cut } = setup(0, 0);
  const a = item("a");
  const b = item("b", true, true);
  sweeper.add(a);
  sweeper.add(b);
  for (let i = 0; i < 100; i++) sweeper.sweep();
  assertEquals([closed, cut], [[], []]);
  sweeper.delete(a);
  sweeper.delete(b);
});
