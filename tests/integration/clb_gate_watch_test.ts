// `clb-sync --watch` through a rolling update, over the HTTPS fake API server (pod watch, and the
// gate's PATCH of pods/status through podgate's own client) and the CLB emulator: the same
// guarantees as the CronJob run, in real time, and how long a new pod waits for its gate (from
// containers ready to the condition True: the gate latency).
import { assert, assertEquals } from "@std/assert";
import { DEFAULT_GATE_TYPE } from "../../src/clb/desired.ts";
import { ClbSyncMetrics } from "../../src/clb/metrics.ts";
import { runWatch } from "../../src/clb/watch.ts";
import { createKubeClient } from "../../src/kube/client.ts";
import { resolveKubeConnection } from "../../src/kube/config.ts";
import { createKubePatcher } from "../../src/kube/patch.ts";
import { memoryLogger } from "../../src/log.ts";
import { runtime } from "../../src/runtime/mod.ts";
import { threeRuleWorld } from "../support/clb_harness.ts";
import { kubeletReady } from "../support/clb_kube.ts";
import { serveCluster } from "../support/clb_kube_server.ts";
import {
  DeploymentSim,
  ROLLOUT_RULES,
  RolloutMonitor,
  rolloutPlaces,
} from "../support/clb_rollout.ts";

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const DRAIN_SECONDS = 0.3;

Deno.test("--watch: a rolling update never leaves a rule without a Ready serving target; the gate opens within a reconcile", async () => {
  // Every write's task takes 20 ms; a new target's health check says Unknown for its first 80 ms.
  const world = await threeRuleWorld({
    pods: 3,
    rulesText: ROLLOUT_RULES,
    // Polls every 10 ms: the 20 requests/s per action limit (client and emulator) is lifted.
    emulator: { taskMs: 20, healthAfterMs: 80, rateLimit: 0 },
    client: { taskPollMs: 10, rateLimit: 1_000 },
  });
  for (const p of world.cluster.deployments.get("shop/api")!.pods) p.gates = [DEFAULT_GATE_TYPE];
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
  const pods = createKubePatcher(connection, { tlsFetch: runtime.tlsFetch });
  const stop = Promise.withResolvers<string>();
  const logger = memoryLogger();
  const done = runWatch({
    rules: world.rules,
    kube,
    pods,
    clb: world.client,
    metrics: new ClbSyncMetrics(),
    reconcile: { drainSeconds: DRAIN_SECONDS, recheckMs: 30 },
    debounceMs: 20,
    resyncMs: 60_000,
    stopMs: 5_000,
    kubeWaitMs: 5_000,
    kubeTimers: { backoffInitialMs: 20, backoffMaxMs: 100 },
    serve: (handler) => runtime.serve(handler, { port: 0, hostname: "127.0.0.1" }),
    stopped: stop.promise,
    logger,
  });
  try {
    const api = world.cluster.deployments.get("shop/api")!;
    await waitFor("the old pods' gates", () => api.pods.every(kubeletReady));

    const monitor = new RolloutMonitor(
      world.emulator,
      world.cluster,
      rolloutPlaces(world),
      DEFAULT_GATE_TYPE,
    );
    world.emulator.onApply = (at) => monitor.observe(at);
    world.cluster.onPatch = (record) => monitor.checkPatch(record);
    const sim = new DeploymentSim(world.cluster, {
      namespace: "shop",
      name: "api",
      replicas: 3,
      maxSurge: 1,
      maxUnavailable: 0,
      prefix: "10.1.9",
      gates: [DEFAULT_GATE_TYPE],
      startMs: 50,
      graceMs: 150,
      onGone: (pod, at) => monitor.podGone(pod, at),
    }, Date.now());
    monitor.observe(Date.now());
    const oldLeft = () =>
      rolloutPlaces(world).some((p) =>
        world.emulator.targets(p.lbId, p.listenerId, p.locationId).some((t) =>
          t.startsWith("10.1.0.")
        )
      );
    const started = Date.now();
    await waitFor("the rollout", () => {
      if (sim.step(Date.now())) {
        served.publish();
        monitor.observe(Date.now());
      }
      return sim.done() && !oldLeft();
    }, 20_000);
    const took = Date.now() - started;

    assertEquals(monitor.violations, []);
    assertEquals(monitor.earlyRemovals(DRAIN_SECONDS * 1000), []);
    for (const min of monitor.minServing.values()) assert(min >= 1);
    const latencies = ["api-new-1", "api-new-2", "api-new-3"].map((name) => {
      const opened = world.cluster.patches.find((p) =>
        p.pod === name && p.condition.status === "True"
      );
      return opened!.at - sim.times.get(name)!.containersReadyAt!;
    });
    // Within one reconcile: a debounce, the write and its task, the read-back, and the health
    // check's first 80 ms; well under a second here, seconds against a real CLB.
    for (const ms of latencies) assert(ms < 2_000, `gate latency ${ms} ms`);
    const waited = world.cluster.patches.filter((p) =>
      p.pod.startsWith("api-new") && p.condition.reason === "TargetNotHealthy"
    );
    assert(waited.length > 0, "a gate waited for a health check result, and said so");
    console.log(
      `rolling update 3→3, --watch: ${took} ms, ${monitor.observations} checks; min weight>0 Ready targets per rule`,
      JSON.stringify(Object.fromEntries(monitor.minServing)),
      `; gate latency (containers ready → condition True) ms: ${latencies.join(", ")}`,
    );
    assert(
      logger.lines.some((l) => l.msg === "sync_pass" && String(l.reasons).includes("follow-up")),
      "a follow-up pass looked again at a waiting gate or a drain coming due",
    );
  } finally {
    stop.resolve("SIGTERM");
    await done.catch(() => {});
    await served.close();
    await world.close();
  }
});
