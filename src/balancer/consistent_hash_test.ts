import { assert, assertEquals, assertThrows } from "@std/assert";
import { consistentHash } from "./consistent_hash.ts";
import { parseHashKey } from "./hash_key.ts";
import { mulberry32 } from "./random_source.ts";
import type { Strategy } from "./strategy.ts";
import { Upstream } from "./upstream.ts";

const pool = (n: number) => Array.from({ length: n }, (_, i) => new Upstream(`10.1.0.${i}:8080`));
const keys = Array.from({ length: 10_000 }, (_, i) => `10.${i >> 8}.${i & 255}.7`);
const route = (strategy: Strategy, upstreams: readonly Upstream[]) =>
  keys.map((clientIp) => strategy.pick(upstreams, { clientIp })!.address);

Deno.test("consistentHash() sends the same key to the same backend every time", () => {
  const ch = consistentHash();
  const upstreams = pool(5);
  const first = route(ch, upstreams);
  assertEquals(route(ch, upstreams), first);
  assertEquals(route(consistentHash(), [...upstreams].reverse()), first, "order does not matter");
});

Deno.test("consistentHash() spreads keys roughly evenly", () => {
  for (const n of [3, 4, 10]) {
    const counts = new Map<string, number>();
    for (const address of route(consistentHash(), pool(n))) {
      counts.set(address, (counts.get(address) ?? 0) + 1);
    }
    assertEquals(counts.size, n);
    const fair = keys.length / n;
    for (const [address, count] of counts) {
      assert(Math.abs(count - fair) < fair * 0.25, `${n} backends: ${address} got ${count}`);
    }
  }
});

Deno.test("consistentHash() moves only the new backend's share when a 4th joins 3", () => {
  const ch = consistentHash();
  const upstreams = pool(4);
  const before = route(ch, upstreams.slice(0, 3));
  const after = route(ch, upstreams);
  let stayed = 0;
  let toNew = 0;
  after.forEach((address, i) => {
    if (address === before[i]) stayed++;
    else if (address === upstreams[3]!.address) toNew++;
  });
  // Every key that moved went to the new backend, and it took about a quarter.
  assertEquals(stayed + toNew, keys.length);
  assert(toNew > 1_750 && toNew < 3_250, `${toNew} of 10000 keys moved to the new backend`);
  const kept = stayed / (keys.length - toNew);
  assert(kept >= 0.9, `${(kept * 100).toFixed(1)}% of the other keys stayed`);
});

Deno.test("consistentHash() moves only the removed backend's keys when one of 4 leaves", () => {
  const ch = consistentHash();
  const upstreams = pool(4);
  const before = route(ch, upstreams);
  const after = route(ch, [upstreams[0]!, upstreams[1]!, upstreams[3]!]);
  const gone = upstreams[2]!.address;
  after.forEach((address, i) => {
    if (before[i] !== gone) assertEquals(address, before[i], `key ${keys[i]}`);
  });
  const moved = before.filter((a) => a === gone).length;
  assert(moved > 1_750 && moved < 3_250, `${moved} keys moved`);
});

Deno.test("consistentHash() hashes a header or cookie, whatever the client IP", () => {
  const upstreams = pool(8);
  const table = ["header:X-User", "cookie:session"];
  for (const source of table) {
    const ch = consistentHash({ key: parseHashKey(source) });
    const headers = { "x-user": "alice", cookie: "session=alice" };
    const picked = new Set(
      ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"].map((clientIp) =>
        ch.pick(upstreams, { clientIp, request: new Request("http://p.test/", { headers }) })!
      ),
    );
    assertEquals(picked.size, 1, source);
  }
});

Deno.test("consistentHash() routes a subset of the pool like a ring of that subset", () => {
  const upstreams = pool(6);
  const subset = upstreams.filter((_, i) => i !== 1 && i !== 4);
  const shared = consistentHash();
  route(shared, upstreams); // the ring is built for all six
  assertEquals(route(shared, subset), route(consistentHash(), subset));
  // A fresh array of the same subset on every request gives the same answers.
  const perRequest = keys.slice(0, 500).map((clientIp) =>
    shared.pick([...subset], { clientIp })!.address
  );
  assertEquals(perRequest, route(consistentHash(), subset).slice(0, 500));
});

Deno.test("consistentHash() returns the current objects after a backend is re-created", () => {
  const ch = consistentHash();
  ch.pick(pool(3), { clientIp: "10.0.0.1" });
  const fresh = pool(3);
  assert(fresh.includes(ch.pick(fresh, { clientIp: "10.0.0.1" })!));
});

Deno.test("consistentHash() picks at random when a request carries no key", () => {
  const upstreams = pool(4);
  const ch = consistentHash({ random: mulberry32(3) });
  const picked = new Set(Array.from({ length: 100 }, () => ch.pick(upstreams)));
  assertEquals(picked.size, 4);
});

Deno.test("consistentHash() handles empty and single pools, and refuses 0 virtual nodes", () => {
  assertEquals(consistentHash().pick([], { clientIp: "1.2.3.4" }), undefined);
  const [only] = pool(1);
  assertEquals(consistentHash().pick([only!], { clientIp: "1.2.3.4" }), only);
  assertThrows(() => consistentHash({ virtualNodes: 0 }), RangeError);
});
