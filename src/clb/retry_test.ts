import { assertEquals, assertRejects } from "@std/assert";
import { retry } from "./retry.ts";

class Busy extends Error {}

function clock() {
  let now = 0;
  const waits: number[] = [];
  return {
    now: () => now,
    waits,
    sleep: (ms: number) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

const options = (c: ReturnType<typeof clock>, deadlineMs = 60_000) => ({
  baseMs: 100,
  maxMs: 1000,
  deadlineMs,
  isRetryable: (e: unknown) => e instanceof Busy,
  random: () => 0.5,
  now: c.now,
  sleep: c.sleep,
});

Deno.test("retry() retries a retryable failure with growing, jittered waits", async () => {
  const c = clock();
  let calls = 0;
  const result = await retry(() => {
    calls++;
    if (calls < 6) throw new Busy();
    return Promise.resolve("done");
  }, options(c));
  assertEquals(result, "done");
  assertEquals(c.waits, [75, 150, 300, 600, 750], "half the ceiling plus jitter, capped at maxMs");
});

Deno.test("retry() fails at once on an error that is not retryable", async () => {
  const c = clock();
  let calls = 0;
  await assertRejects(() =>
    retry(() => {
      calls++;
      throw new TypeError("AuthFailure.SignatureFailure");
    }, options(c)), TypeError);
  assertEquals(calls, 1);
  assertEquals(c.waits, []);
});

Deno.test("retry() gives up with the last error when the deadline would pass", async () => {
  const c = clock();
  let calls = 0;
  await assertRejects(() =>
    retry(() => {
      calls++;
      throw new Busy();
    }, options(c, 1000)), Busy);
  assertEquals(c.waits, [75, 150, 300], "a fourth wait (600) would end past 1000 ms");
  assertEquals(calls, 4);
});
