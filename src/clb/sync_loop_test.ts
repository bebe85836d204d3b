import { assertEquals } from "@std/assert";
import type { SyncResult } from "./summary.ts";
import { SyncLoop } from "./sync_loop.ts";

const result: SyncResult = {
  exitCode: 0,
  dryRun: false,
  rules: [],
  authFailure: undefined,
  calls: {},
  durationMs: 0,
};

function recorder() {
  const passes: string[][] = [];
  let gate: PromiseWithResolvers<void> | undefined;
  return {
    passes,
    /** Holds the next pass until released. */
    hold: () => (gate = Promise.withResolvers<void>()),
    pass: async (reasons: string[]) => {
      passes.push(reasons);
      if (gate) await gate.promise;
      return result;
    },
  };
}

Deno.test("SyncLoop makes one pass for a burst of changes", async () => {
  const r = recorder();
  const loop = new SyncLoop({ pass: r.pass, debounceMs: 20, resyncMs: 0 });
  await loop.start();
  for (let i = 0; i < 10; i++) loop.trigger("pods/shop");
  loop.trigger("pods/web");
  await loop.idle();
  assertEquals(r.passes, [["start"], ["pods/shop", "pods/web"]]);
  await loop.stop();
});

Deno.test("SyncLoop never overlaps passes: a change during one earns one more after it", async () => {
  const r = recorder();
  const loop = new SyncLoop({ pass: r.pass, debounceMs: 0, resyncMs: 0 });
  await loop.start();
  const gate = r.hold();
  loop.trigger("a");
  while (r.passes.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
  loop.trigger("b");
  loop.trigger("c");
  await new Promise((resolve) => setTimeout(resolve, 5));
  assertEquals(r.passes.length, 2, "the second pass is still running");
  gate.resolve();
  await loop.idle();
  assertEquals(r.passes, [["start"], ["a"], ["b", "c"]]);
  await loop.stop();
});

Deno.test("SyncLoop resyncs on a timer, and stop() ends it", async () => {
  const r = recorder();
  const loop = new SyncLoop({ pass: r.pass, debounceMs: 1000, resyncMs: 10 });
  await loop.start();
  while (r.passes.length < 3) await new Promise((resolve) => setTimeout(resolve, 2));
  assertEquals(r.passes.slice(1, 3), [["resync"], ["resync"]]);
  await loop.stop();
  const count = r.passes.length;
  loop.trigger("late");
  await new Promise((resolve) => setTimeout(resolve, 30));
  assertEquals(r.passes.length, count, "no pass after stop");
});

Deno.test("SyncLoop runs a follow-up pass when a pass asks for one, never sooner than the debounce", async () => {
  const passes: string[][] = [];
  const loop = new SyncLoop({
    pass: (reasons) => {
      passes.push(reasons);
      // The first two passes ask to be looked at again at once (a gate waits on a health check).
      return Promise.resolve({ ...result, nextPassInMs: passes.length < 3 ? 0 : undefined });
    },
    debounceMs: 5,
    resyncMs: 60_000,
  });
  await loop.start();
  while (passes.length < 3) await new Promise((resolve) => setTimeout(resolve, 2));
  await new Promise((resolve) => setTimeout(resolve, 30));
  assertEquals(passes, [["start"], ["follow-up"], ["follow-up"]], "then it stops asking");
  await loop.stop();
});
