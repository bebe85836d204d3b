import { assertEquals } from "@std/assert";
import { RateLimiter } from "./rate_limiter.ts";

function fakeClock() {
  let now = 0;
  const waits: number[] = [];
  return {
    now: () => now,
    set: (t: number) => (now = t),
    waits,
    sleep: (ms: number) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

Deno.test("RateLimiter.acquire() lets 20 calls of an action run per second and delays the rest", async () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ perSecond: 20, now: clock.now, sleep: clock.sleep });
  const started: number[] = [];
  for (let i = 0; i < 45; i++) {
    const release = await limiter.acquire("RegisterTargets");
    started.push(clock.now());
    release();
  }
  assertEquals(started, [...Array(20).fill(0), ...Array(20).fill(1000), ...Array(5).fill(2000)]);
});

Deno.test("RateLimiter.acquire() counts each action on its own", async () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ perSecond: 2, now: clock.now, sleep: clock.sleep });
  (await limiter.acquire("DescribeTargets"))();
  (await limiter.acquire("DescribeTargets"))();
  (await limiter.acquire("DescribeListeners"))();
  assertEquals(clock.waits, []);
  (await limiter.acquire("DescribeTargets"))();
  assertEquals(clock.waits, [1000]);
});

Deno.test("RateLimiter.acquire() counts the window from when a call ended, not when it began", async () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ perSecond: 1, now: clock.now, sleep: clock.sleep });
  const release = await limiter.acquire("a");
  let second = -1;
  const next = limiter.acquire("a").then((r) => {
    second = clock.now();
    r();
  });
  clock.set(300); // the first call took 300 ms: the server saw it somewhere in [0, 300]
  release();
  await next;
  assertEquals(second, 1300);
});
