import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { ConfigError, loadConfig, proxyConfigSchema, STRATEGIES } from "../config/mod.ts";
import { createStrategy, peakEwma, Upstream } from "./mod.ts";
import { mulberry32 } from "./random_source.ts";

const load = (env: Record<string, string>) =>
  loadConfig(proxyConfigSchema, { env: { PODGATE_BACKENDS: "a:1", ...env } }).config;

Deno.test("createStrategy() builds every strategy the config accepts, under that name", () => {
  const upstreams = [new Upstream("a:1"), new Upstream("b:1")];
  for (const name of STRATEGIES) {
    const config = load({ PODGATE_STRATEGY: name });
    const strategy = createStrategy(config.strategy, { ...config.balancer, random: mulberry32(1) });
    assertEquals(strategy.name, name);
    assert(upstreams.includes(strategy.pick(upstreams, { clientIp: "10.0.0.1" })!), name);
  }
});

Deno.test("createStrategy() rejects a name it does not know", () => {
  const error = assertThrows(() => createStrategy("fastest"), RangeError);
  assertMatch(error.message, /unknown name/);
});

Deno.test("proxy config reads balancer, outlier and retry settings with production defaults", () => {
  const defaults = load({});
  assertEquals(defaults.balancer, {
    hashKey: { from: "client-ip" },
    ewmaDecayMs: 10_000,
    slowStartMs: 0,
    slowStartMinPercent: 10,
  });
  assertEquals(defaults.outlier, {
    consecutiveConnectErrors: 5,
    consecutiveServerErrors: 5,
    baseEjectionMs: 30_000,
    maxEjectionMs: 300_000,
    maxEjectedPercent: 50,
  });
  assertEquals(defaults.retry, { attempts: 3, budgetPercent: 20, budgetMinConcurrency: 10 });
  const set = load({
    PODGATE_BALANCER__HASH_KEY: "cookie:session",
    PODGATE_OUTLIER__BASE_EJECTION_MS: "50",
    PODGATE_OUTLIER__MAX_EJECTION_MS: "200",
    PODGATE_RETRY__ATTEMPTS: "2",
  });
  assertEquals(set.balancer.hashKey, { from: "cookie", name: "session" });
  assertEquals([set.outlier.baseEjectionMs, set.outlier.maxEjectionMs], [50, 200]);
  assertEquals(set.retry.attempts, 2);
});

Deno.test("proxy config names a bad hash key or ejection cap with what was expected", () => {
  const problems = (env: Record<string, string>) =>
    assertThrows(() => load(env), ConfigError).problems.join("\n");
  assertMatch(
    problems({ PODGATE_BALANCER__HASH_KEY: "query:id" }),
    /balancer\.hashKey.*expected client-ip, header:NAME or cookie:NAME/,
  );
  assertMatch(
    problems({ PODGATE_OUTLIER__MAX_EJECTION_MS: "10" }),
    /outlier\.maxEjectionMs.*must not be below baseEjectionMs/,
  );
});

Deno.test("createStrategy() hashes on the configured cookie", () => {
  const config = load({
    PODGATE_STRATEGY: "consistent-hash",
    PODGATE_BALANCER__HASH_KEY: "cookie:s",
  });
  const strategy = createStrategy(config.strategy, config.balancer);
  const upstreams = Array.from({ length: 8 }, (_, i) => new Upstream(`10.0.0.${i}:80`));
  const headers = { cookie: "s=user-17" };
  const picked = new Set(
    ["10.9.0.1", "10.9.0.2", "10.9.0.3", "10.9.0.4"].map((clientIp) =>
      strategy.pick(upstreams, { clientIp, request: new Request("http://p.test/", { headers }) })
    ),
  );
  assertEquals(picked.size, 1);
});

Deno.test("createStrategy() lets ewma read the latency tracker the request path feeds", () => {
  const latency = peakEwma({ now: () => 0 });
  const strategy = createStrategy("ewma", { latency, random: mulberry32(2), now: () => 0 });
  const [fast, slow] = [new Upstream("fast:1"), new Upstream("slow:1")];
  latency.observe(fast, 1);
  latency.observe(slow, 300);
  const picks = Array.from({ length: 50 }, () => strategy.pick([fast, slow])?.address);
  assert(picks.every((a) => a === "fast:1"), `${picks}`);
});
