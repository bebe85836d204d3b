// `clb-sync --watch` in-process: podgate's own Kubernetes client watching pods on the HTTPS fake
// API server, the CLB emulator behind the SDK, a pass within moments of a pod change, a resync on
// a timer, /health and /metrics, and a clean stop.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { ClbSyncMetrics } from "../../src/clb/metrics.ts";
import { memoryLogger } from "../../src/log.ts";
import { runWatch } from "../../src/clb/watch.ts";
import { createKubeClient } from "../../src/kube/client.ts";
import { resolveKubeConnection } from "../../src/kube/config.ts";
import { runtime } from "../../src/runtime/mod.ts";
import { expectTargets, threeRuleWorld, type World } from "../support/clb_harness.ts";
import { serveCluster } from "../support/clb_kube_server.ts";

async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function startWatch(
  world: World,
  { resyncMs = 60_000, metrics = new ClbSyncMetrics() } = {},
) {
  const served = await serveCluster(world.cluster);
  const { connection } = await resolveKubeConnection({
    kubeconfig: served.kubeconfig,
    env: () => undefined,
    readTextFile: runtime.readTextFile,
    fileExists: runtime.fileExists,
  });
  const kube = createKubeClient(connection, {
    tlsFetch: runtime.tlsFetch,
    requestTimeoutMs: 5_000,
  });
  const stop = Promise.withResolvers<string>();
  const logger = memoryLogger();
  const done = runWatch({
    rules: world.rules,
    kube,
    clb: world.client,
    metrics,
    reconcile: {},
    debounceMs: 50,
    resyncMs,
    stopMs: 5_000,
    kubeWaitMs: 5_000,
    kubeTimers: { backoffInitialMs: 20, backoffMaxMs: 100 },
    serve: (handler) => runtime.serve(handler, { port: 0, hostname: "127.0.0.1" }),
    stopped: stop.promise,
    logger,
  });
  await waitFor("the listening line", () => logger.lines.some((l) => l.msg === "listening"));
  const port = logger.lines.find((l) => l.msg === "listening")!.port as number;
  const passes = () => logger.lines.filter((l) => l.msg === "summary");
  return { served, logger, done, port, passes, stop: () => stop.resolve("SIGTERM") };
}

Deno.test("--watch syncs at start, again within moments of a pod change, then stops cleanly", async () => {
  const metrics = new ClbSyncMetrics();
  const world = await threeRuleWorld({
    pods: 3,
    client: { observe: (action, outcome) => metrics.observeRequest(action, outcome) },
  });
  const watch = await startWatch(world, { metrics });
  try {
    await waitFor("the first pass", () => watch.passes().length === 1);
    assertEquals(world.targets().api, expectTargets("10.1.0", 8080, 3));

    // A rolling update step: one more pod Ready, one terminating.
    world.cluster.scale("shop", "api", 4, "10.1.0");
    world.cluster.pod("shop", "api", "api-1").terminating = true;
    watch.served.publish();
    await waitFor(
      "the pod change to reach the CLB",
      () =>
        world.targets().api.includes("10.1.0.4:8080 w10 podgate") &&
        world.targets().api.includes("10.1.0.1:8080 w0 podgate"),
    );
    await waitFor("that pass to end", () => watch.passes().length >= 2);
    assert(
      watch.logger.lines.some((l) =>
        l.msg === "sync_pass" && String(l.reasons).includes("pods/shop")
      ),
      "the pass was triggered by the pod watch",
    );

    const health = await fetch(`http://127.0.0.1:${watch.port}/health`);
    assertEquals(health.status, 200);
    const body = await health.json();
    assertEquals(body.status, "ok");
    assertEquals(body.last_exit_code, 0);
    const metrics = await (await fetch(`http://127.0.0.1:${watch.port}/metrics`)).text();
    assertStringIncludes(metrics, 'podgate_clb_sync_passes_total{exit_code="0"}');
    assertStringIncludes(
      metrics,
      'podgate_clb_api_requests_total{action="BatchRegisterTargets",outcome="ok"}',
    );
    assertStringIncludes(metrics, 'podgate_clb_sync_targets_changed_total{change="registered"} 10');

    watch.stop();
    assertEquals(await watch.done, 0);
    assert(watch.logger.lines.some((l) => l.msg === "stopped" && l.clean === true));
  } finally {
    watch.stop();
    await watch.done.catch(() => {});
    await watch.served.close();
    await world.close();
  }
});

Deno.test("--watch resyncs on a timer: a target removed by hand comes back", async () => {
  const world = await threeRuleWorld({ pods: 2 });
  const watch = await startWatch(world, { resyncMs: 150 });
  try {
    await waitFor("the first pass", () => watch.passes().length >= 1);
    // Someone deletes a podgate target in the console.
    world.api.targets.splice(0, 1);
    assertEquals(world.targets().api.length, 1);
    await waitFor("the resync to restore it", () => world.targets().api.length === 2);
    assert(
      watch.logger.lines.some((l) => l.msg === "sync_pass" && String(l.reasons).includes("resync")),
    );
  } finally {
    watch.stop();
    await watch.done;
    await watch.served.close();
    await world.close();
  }
});
