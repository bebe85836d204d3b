// The readiness gate against the CLB emulator, one pass at a time as the CronJob runs: which pods
// are patched and when, the condition they get, how health checks, unreadable rules, failed
// writes, the deletion guard, RBAC and dry runs bear on it. At every True patch the CLB is
// checked: it must hold the pod, with weight > 0, on every rule its Deployment feeds.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { DEFAULT_GATE_TYPE } from "../../src/clb/desired.ts";
import { threeRuleWorld, type World } from "../support/clb_harness.ts";
import { kubeletReady } from "../support/clb_kube.ts";
import { ROLLOUT_RULES, RolloutMonitor, rolloutPlaces } from "../support/clb_rollout.ts";

const GATE = DEFAULT_GATE_TYPE;

/** shop/api (3 pods, gated unless told) feeding lb-abc HTTP:80 /api and lb-def TCP:9000. */
async function gatedWorld(
  { gated = 3, ...options }: { gated?: number } & Parameters<typeof threeRuleWorld>[0] = {},
) {
  const world = await threeRuleWorld({ pods: 3, rulesText: ROLLOUT_RULES, ...options });
  const pods = world.cluster.deployments.get("shop/api")!.pods;
  pods.forEach((p, i) => (p.gates = i < gated ? [GATE] : []));
  const monitor = new RolloutMonitor(world.emulator, world.cluster, rolloutPlaces(world), GATE);
  world.cluster.onPatch = (record) => monitor.checkPatch(record);
  return { world, pods, monitor };
}

const conditionOf = (world: World, pod: string) =>
  world.cluster.deployments.get("shop/api")!.pods.find((p) => p.name === pod)!.conditions?.[GATE];

Deno.test("a gated pod is registered by ContainersReady and turns Ready once every rule holds it", async () => {
  const { world, pods, monitor } = await gatedWorld({ gated: 2 });
  try {
    assert(!kubeletReady(pods[0]!), "gated: not Ready before clb-sync");
    const first = await world.sync();
    assertEquals(first.exitCode, 0);
    assertEquals(world.targets().api.length, 3, "the gated pods were registered while not Ready");
    assertEquals(world.targets().tcp.length, 3);
    assertEquals(first.gates, { pods: 2, ready: 2, patched: 2, failed: 0, waiting: 0 });
    assertEquals(conditionOf(world, "api-1"), {
      status: "True",
      reason: "TargetRegistered",
      message: "a target with weight > 0 of lb-abc/HTTP:80 example.com/api, lb-def/TCP:9000",
      lastTransitionTime: conditionOf(world, "api-1")!.lastTransitionTime!,
    });
    assert(pods.every(kubeletReady));
    assertEquals(monitor.violations, []);
    assertEquals(
      world.cluster.patches.map((p) => p.pod).sort(),
      ["api-1", "api-2"],
      "only the pods that ask for the gate are patched",
    );
    // CronJob mode sets the conditions every run; an unchanged one is not written again.
    const writes = world.emulator.writeCalls().length;
    const second = await world.sync();
    assertEquals(second.gates?.patched, 0);
    assertEquals(world.emulator.writeCalls().length, writes);
    assertEquals(world.cluster.patches.length, 2);
    assertEquals(
      second.calls,
      { DescribeLoadBalancers: 1, DescribeListeners: 2, DescribeTargets: 2 },
      "no health check read once every gate is True",
    );
  } finally {
    await world.close();
  }
});

Deno.test("the gate waits for a readable health check on the way to True, and says so", async () => {
  const { world, monitor } = await gatedWorld({ gated: 1 });
  world.emulator.health.set("10.1.0.1:9000", "Unknown");
  try {
    const first = await world.sync();
    assertEquals(first.gates?.waiting, 1);
    assertEquals(first.nextPassInMs, 2_000, "--watch would look again soon");
    assertEquals(conditionOf(world, "api-1")?.status, "False");
    assertEquals(conditionOf(world, "api-1")?.reason, "TargetNotHealthy");
    assertEquals(
      conditionOf(world, "api-1")?.message,
      "10.1.0.1:9000 is a target of lb-def/TCP:9000; its health check says Unknown",
    );
    world.emulator.health.set("10.1.0.1:9000", "Alive");
    assertEquals((await world.sync()).gates?.ready, 1);
    // Once True, a failing health check does not pull the pod out; losing the target does.
    world.emulator.health.set("10.1.0.1:9000", "Dead");
    await world.sync();
    assertEquals(conditionOf(world, "api-1")?.status, "True");
    world.tcp9000.targets.splice(world.tcp9000.targets.findIndex((t) => t.ip === "10.1.0.1"), 1);
    world.emulator.failTask("BatchRegisterTargets");
    world.emulator.failTask("RegisterTargets");
    const lost = await world.sync();
    assertEquals(lost.exitCode, 1);
    assertEquals(conditionOf(world, "api-1")?.reason, "TargetNotRegistered");
    assertEquals(monitor.violations, []);
  } finally {
    await world.close();
  }
});

Deno.test("DescribeTargetHealth refused: the gate goes by registration; throttled: it waits", async () => {
  const { world } = await gatedWorld({ gated: 1, client: { retryDeadlineMs: 200 } });
  try {
    world.emulator.failNext("DescribeTargetHealth", "RequestLimitExceeded", { times: 1_000 });
    const throttled = await world.sync();
    assertEquals(conditionOf(world, "api-1")?.reason, "RuleNotReadable");
    assertEquals(throttled.gates?.ready, 0, "never True on a guess");
    world.emulator.clearFaults();
    world.emulator.failNext("DescribeTargetHealth", "UnauthorizedOperation");
    const refused = await world.sync();
    assertEquals(refused.gates?.ready, 1);
    assert(
      world.logs.some((l) =>
        l.msg === "target_health_unreadable" && l.effect === "gates go by registration alone"
      ),
    );
  } finally {
    await world.close();
  }
});

Deno.test("a rule that cannot hold the pod keeps the gate False, naming it; nothing is Ready early", async () => {
  const { world, pods, monitor } = await gatedWorld();
  // The TCP listener's registrations fail for good this pass (batch and per-listener).
  world.emulator.failListeners("BatchRegisterTargets", [world.tcp9000.listenerId], { times: 2 });
  world.emulator.failNext("RegisterTargets", "InvalidParameter.PortCheckFailed");
  try {
    const result = await world.sync();
    assertEquals(result.exitCode, 1);
    assertEquals(world.targets().api.length, 3, "the other rule holds them");
    assertEquals(pods.map((p) => conditionOf(world, p.name)?.reason), [
      "TargetNotRegistered",
      "TargetNotRegistered",
      "TargetNotRegistered",
    ]);
    assertEquals(
      conditionOf(world, "api-1")?.message,
      "10.1.0.1:9000 is not a target of lb-def/TCP:9000",
    );
    assert(!pods.some(kubeletReady));
    assertEquals((await world.sync()).gates?.ready, 3, "the next run registers and opens them");
    assertEquals(monitor.violations, []);
  } finally {
    await world.close();
  }
});

Deno.test("a rule skipped this run leaves a True gate alone and opens no new one", async () => {
  const { world, pods } = await gatedWorld();
  try {
    await world.sync();
    world.tcp9000.targetType = "TARGETGROUP"; // lb-def's listener can no longer be managed
    world.cluster.scale("shop", "api", 4, "10.1.0");
    pods.push(...world.cluster.deployments.get("shop/api")!.pods.slice(3));
    const api = world.cluster.deployments.get("shop/api")!;
    api.pods[3]!.gates = [GATE];
    for (const p of api.pods.slice(0, 3)) {
      p.conditions = { [GATE]: { status: "True", reason: "TargetRegistered", message: "m" } };
    }
    const result = await world.sync();
    assertEquals(result.exitCode, 2);
    assertEquals(conditionOf(world, "api-1")?.status, "True", "unknown is not False");
    assertEquals(conditionOf(world, "api-4")?.reason, "RuleNotReadable");
    assertMatch(conditionOf(world, "api-4")!.message!, /^cannot read lb-def\/TCP:9000: /);
    assert(!kubeletReady(api.pods[3]!));
  } finally {
    await world.close();
  }
});

Deno.test("under the deletion guard the gate still opens only for pods the CLB really holds", async () => {
  const { world, monitor } = await gatedWorld();
  try {
    await world.sync();
    // Two old pods gone at once, one new gated pod: taking 2 of 3 out is refused…
    const api = world.cluster.deployments.get("shop/api")!;
    api.pods = [api.pods[0]!, { name: "api-9", ip: "10.1.0.9", gates: [GATE] }];
    // …and the new pod's registration fails on one rule.
    world.emulator.failListeners("BatchRegisterTargets", [world.tcp9000.listenerId], { times: 2 });
    world.emulator.failNext("RegisterTargets", "InvalidParameter.PortCheckFailed");
    const refused = await world.sync({ maxDeleteShare: 0.3 });
    assertEquals(refused.rules.map((r) => r.status), ["refused", "failed"]);
    assertEquals(world.targets().api.filter((t) => t.includes(" w10 ")).length, 4, "none drained");
    assertEquals(conditionOf(world, "api-9")?.reason, "TargetNotRegistered");
    assert(!kubeletReady(api.pods[1]!));
    const next = await world.sync({ maxDeleteShare: 0.3 });
    assertEquals(next.rules.map((r) => r.status), ["refused", "refused"]);
    assertEquals(conditionOf(world, "api-9")?.status, "True", "registered now, guard or not");
    assertEquals(monitor.violations, []);
  } finally {
    await world.close();
  }
});

Deno.test("a patch refused by RBAC fails the run (exit 1) and names the permission", async () => {
  const { world } = await gatedWorld({ gated: 1 });
  world.cluster.failures.set("/api/v1/namespaces/shop/pods/api-1/status", 403);
  try {
    const result = await world.sync();
    assertEquals(result.exitCode, 1);
    assertEquals(result.gates?.failed, 1);
    assertEquals(result.gates?.ready, 0);
    const line = world.logs.find((l) => l.msg === "gate_patch_failed");
    assertEquals(line?.hint, "the ClusterRole needs patch on pods/status");
  } finally {
    await world.close();
  }
});

Deno.test("--dry-run shows the gate changes it would make and writes none", async () => {
  const { world } = await gatedWorld({ gated: 1 });
  try {
    await world.sync();
    world.cluster.scale("shop", "api", 4, "10.1.0");
    world.cluster.deployments.get("shop/api")!.pods[3]!.gates = [GATE];
    const patches = world.cluster.patches.length;
    const dry = await world.sync({ dryRun: true });
    assertEquals(dry.exitCode, 0);
    assertEquals(world.cluster.patches.length, patches);
    const gate = world.logs.find((l) => l.msg === "gate" && l.pod === "shop/api-4");
    assertEquals([gate?.status, gate?.reason, gate?.dry_run], [
      "False",
      "TargetNotRegistered",
      true,
    ]);
  } finally {
    await world.close();
  }
});

Deno.test("the condition type is configurable: TKE's backend-group gate", async () => {
  const tke = "cloud.tencent.com/load-balancer-backendgroup-ready";
  const world = await threeRuleWorld({ pods: 2, rulesText: ROLLOUT_RULES });
  for (const p of world.cluster.deployments.get("shop/api")!.pods) p.gates = [tke];
  try {
    const result = await world.sync({ gateType: tke });
    assertEquals(result.gates?.ready, 2);
    assertEquals(world.cluster.patches.map((p) => p.type), [tke, tke]);
    assert(world.cluster.deployments.get("shop/api")!.pods.every(kubeletReady));
  } finally {
    await world.close();
  }
});
