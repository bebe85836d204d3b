import { assert, assertEquals } from "@std/assert";
import { type FailureKind, outlierDetector, type OutlierOptions } from "./outlier.ts";
import { Upstream } from "./upstream.ts";

/** A pool of `n`, a fake clock and a detector over them. */
function setup(n: number, options: OutlierOptions = {}) {
  const pool = Array.from({ length: n }, (_, i) => new Upstream(`b${i}:1`));
  const clock = { now: 1_000_000 };
  const outlier = outlierDetector(() => pool, { now: () => clock.now, ...options });
  const fail = (u: Upstream, kind: FailureKind, times: number) => {
    let last;
    for (let k = 0; k < times; k++) last = outlier.onFailure(u, kind);
    return last;
  };
  const usable = () => outlier.usable(pool).map((u) => u.address);
  return { pool, clock, outlier, fail, usable };
}

Deno.test("outlierDetector() ejects after 5 consecutive connect errors, not before", () => {
  const { pool: [a], clock, fail, usable } = setup(3);
  assertEquals(fail(a!, "connect", 4), undefined);
  assertEquals(usable(), ["b0:1", "b1:1", "b2:1"]);
  const ejection = fail(a!, "connect", 1);
  assertEquals(ejection, {
    ejected: true,
    reason: "connect",
    until: clock.now + 30_000,
    durationMs: 30_000,
    timesEjected: 1,
  });
  assertEquals(usable(), ["b1:1", "b2:1"]);
  assertEquals(a!.available(clock.now), false);
});

Deno.test("outlierDetector() counts 5xx and timeouts together, with their own threshold", () => {
  const { pool: [a, b], fail } = setup(4, {
    consecutiveConnectErrors: 2,
    consecutiveServerErrors: 3,
  });
  fail(a!, "5xx", 1);
  assertEquals(fail(a!, "timeout", 1), undefined);
  assertEquals(fail(a!, "5xx", 1)?.reason, "5xx");
  assertEquals(fail(b!, "connect", 2)?.reason, "connect");
});

Deno.test("outlierDetector() needs the failures in a row", () => {
  const { pool: [a], outlier, fail } = setup(3);
  fail(a!, "connect", 4);
  outlier.onSuccess(a!);
  assertEquals(fail(a!, "connect", 4), undefined);
  outlier.onResponse(a!, 404); // a 4xx is the backend working
  assertEquals(fail(a!, "5xx", 4), undefined);
  // A 5xx means it did connect: the connect streak starts over.
  outlier.onSuccess(a!);
  fail(a!, "connect", 4);
  fail(a!, "5xx", 1);
  assertEquals(fail(a!, "connect", 4), undefined);
  // Connect errors in between do not break a 5xx streak: 1 + 3 + this 503 make 5.
  assertEquals(fail(a!, "5xx", 3), undefined);
  assertEquals(outlier.onResponse(a!, 503)?.reason, "5xx");
});

Deno.test("outlierDetector() re-admits a backend when its ejection ends", () => {
  const { pool: [a], clock, fail, usable } = setup(3);
  const { until } = fail(a!, "connect", 5)!;
  clock.now = until - 1;
  assertEquals(usable(), ["b1:1", "b2:1"]);
  clock.now = until;
  assertEquals(usable(), ["b0:1", "b1:1", "b2:1"]);
  assertEquals(a!.available(clock.now), true);
});

Deno.test("outlierDetector() ejects for base × times ejected, capped at the maximum", () => {
  const { pool: [a], clock, fail } = setup(3, { baseEjectionMs: 1_000, maxEjectionMs: 3_500 });
  const durations: number[] = [];
  for (let round = 0; round < 5; round++) {
    const ejection = fail(a!, "5xx", 5)!;
    durations.push(ejection.durationMs);
    clock.now = ejection.until; // back, and failing again at once
  }
  assertEquals(durations, [1_000, 2_000, 3_000, 3_500, 3_500]);
});

Deno.test("outlierDetector() forgives one past ejection per base period spent healthy", () => {
  const { pool: [a], clock, fail } = setup(3, { baseEjectionMs: 1_000, maxEjectionMs: 60_000 });
  for (let round = 0; round < 3; round++) clock.now = fail(a!, "5xx", 5)!.until;
  clock.now += 2_000; // two periods healthy: three ejections count as one
  assertEquals(fail(a!, "5xx", 5)?.durationMs, 2_000);
});

Deno.test("outlierDetector() ignores failures of a backend already ejected", () => {
  const { pool: [a], fail } = setup(3);
  const first = fail(a!, "connect", 5)!;
  assertEquals(fail(a!, "connect", 10), undefined);
  assertEquals(a!.ejectedUntil, first.until);
});

Deno.test("outlierDetector() never ejects more than maxEjectedPercent of the pool", () => {
  const { pool, clock, fail, usable } = setup(4, { maxEjectedPercent: 50 });
  const [a, b, c] = pool;
  assertEquals(fail(a!, "connect", 5)?.ejected, true);
  clock.now += 10_000;
  assertEquals(fail(b!, "connect", 5)?.ejected, true);
  const refused = fail(c!, "connect", 5)!;
  assertEquals([refused.ejected, refused.until], [false, 0]);
  assertEquals(usable(), ["b2:1", "b3:1"]);
  // Once one is back, the next failure of the third ejects it: its streak was kept.
  clock.now = a!.ejectedUntil;
  assertEquals(fail(c!, "connect", 1)?.ejected, true);
  assertEquals(usable(), ["b0:1", "b3:1"]);
});

Deno.test("outlierDetector() may always eject one backend, however small the percent", () => {
  const { pool: [a, b], fail } = setup(3, { maxEjectedPercent: 10 });
  assertEquals(fail(a!, "connect", 5)?.ejected, true);
  assertEquals(fail(b!, "connect", 5)?.ejected, false);
});

Deno.test("outlierDetector() uses every backend when every backend is ejected", () => {
  const { pool, fail, usable } = setup(3, { maxEjectedPercent: 100 });
  for (const u of pool) assertEquals(fail(u, "connect", 5)?.ejected, true);
  assertEquals(usable(), ["b0:1", "b1:1", "b2:1"]);
});

Deno.test("outlierDetector() with a threshold of 0 or 0% ejects nothing for that cause", () => {
  const off = setup(3, { consecutiveConnectErrors: 0 });
  assertEquals(off.fail(off.pool[0]!, "connect", 50), undefined);
  assertEquals(off.fail(off.pool[0]!, "5xx", 5)?.ejected, true);
  const none = setup(3, { maxEjectedPercent: 0 });
  assertEquals(none.fail(none.pool[0]!, "connect", 5)?.ejected, false);
});

Deno.test("outlierDetector().usable() returns the pool itself while nothing is ejected", () => {
  const { pool, clock, outlier, fail } = setup(3);
  assert(outlier.usable(pool) === pool);
  fail(pool[1]!, "connect", 5);
  const filtered = outlier.usable(pool);
  assertEquals(filtered.map((u) => u.address), ["b0:1", "b2:1"]);
  assert(outlier.usable(pool) === filtered, "the answer is reused until something changes");
  clock.now = pool[1]!.ejectedUntil;
  assert(outlier.usable(pool) === pool);
});

Deno.test("Upstream.available() still leaves terminating backends out", () => {
  const u = new Upstream("a:1", { terminating: true });
  assertEquals(u.available(0), false);
  u.terminating = false;
  u.ejectedUntil = 10;
  assertEquals([u.available(9), u.available(10)], [false, true]);
});
