import { assert, assertEquals } from "@std/assert";
import { outlierDetector, peakEwma, Pool, RetryBudget } from "../balancer/mod.ts";
import { MATCH_ALL, NO_FILTERS } from "./route_resolution.ts";
import type { Strategy } from "../balancer/strategy.ts";
import { memoryLogger } from "../log.ts";
import { createProxyHandler } from "./handler.ts";
import { createStats } from "./stats.ts";
import type { Transport } from "./transport.ts";

Deno.test("createProxyHandler() answers a bug on the request path with a JSON 500, its request id and a log line", async () => {
  const pool = new Pool();
  pool.update([{ address: "127.0.0.1:1" }]);
  const logger = memoryLogger();
  const errors: unknown[] = [];
  const broken: Strategy = {
    name: "broken",
    pick: () => {
      throw new Error("boom");
    },
  };
  const transport: Transport = {
    headerRecord: () => ({}),
    prepare: () => ({}),
    forward: () => Promise.reject(new Error("not reached")),
  };
  const group = {
    name: "default",
    route: "default",
    pool,
    strategy: broken,
    outlier: outlierDetector(() => pool.routable()),
    latency: peakEwma(),
  };
  const handler = createProxyHandler({
    resolve: () => ({
      kind: "forward",
      route: "default",
      group,
      plan: NO_FILTERS,
      matched: MATCH_ALL,
      view: undefined,
    }),
    transport,
    stats: createStats(),
    logger,
    budget: new RetryBudget({ percent: 20, minConcurrency: 10 }),
    onError: (error) => errors.push(error),
  });
  const res = await handler(
    new Request("http://proxy/x", { headers: { "x-request-id": "req-7" } }),
    "192.0.2.1",
  );
  assertEquals(res.status, 500);
  assertEquals((await res.json()).error, "internal error");
  assertEquals(res.headers.get("x-request-id"), "req-7");
  assertEquals(errors.length, 1);
  const line = logger.lines.find((l) => l.msg === "request");
  assert(line, "the request was not logged");
  assertEquals([line.status, line.error, line.request_id], [500, "internal", "req-7"]);
});
