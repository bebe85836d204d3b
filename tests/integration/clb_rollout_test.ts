// A rolling update of 3 → 3 gated pods (maxSurge 1, maxUnavailable 0) fed to two rules on two
// load balancers, with clb-sync run once per step as the CronJob runs it: at every change on
// either side every rule keeps a serving target of a Ready pod, no pod is Ready before every rule
// holds it, and an old pod's target sits at weight 0 for drainSeconds, and until its pod is gone,
// before removal. Then again with CLB faults injected on the way: they delay, never mislead.
import { assert, assertEquals } from "@std/assert";
import { DEFAULT_GATE_TYPE } from "../../src/clb/desired.ts";
import type { SyncResult } from "../../src/clb/summary.ts";
import { threeRuleWorld, type World } from "../support/clb_harness.ts";
import { kubeletReady } from "../support/clb_kube.ts";
import {
  DeploymentSim,
  ROLLOUT_RULES,
  RolloutMonitor,
  rolloutPlaces,
} from "../support/clb_rollout.ts";

const STEP_MS = 5_000;
const DRAIN_MS = 10_000;

async function cronRollout(
  { faults, gates = [DEFAULT_GATE_TYPE], stepsPerRun = 1, check = true }: {
    faults?: (step: number, world: World) => void;
    /** The new pods' readiness gates. */
    gates?: string[];
    /** Controller and kubelet rounds between two runs (a CronJob trailing the rollout). */
    stepsPerRun?: number;
    check?: boolean;
  } = {},
) {
  const world = await threeRuleWorld({ pods: 3, rulesText: ROLLOUT_RULES });
  let now = 1_800_000_000_000;
  world.clock.now = () => now;
  for (const p of world.cluster.deployments.get("shop/api")!.pods) p.gates = gates;
  try {
    // Before the rollout: the old pods registered, their gates True.
    assertEquals((await world.sync()).exitCode, 0);
    assert(world.cluster.deployments.get("shop/api")!.pods.every(kubeletReady));

    const monitor = new RolloutMonitor(
      world.emulator,
      world.cluster,
      rolloutPlaces(world),
      DEFAULT_GATE_TYPE,
    );
    world.emulator.onApply = () => monitor.observe(now);
    world.cluster.onPatch = (record) => monitor.checkPatch(record);
    const sim = new DeploymentSim(world.cluster, {
      namespace: "shop",
      name: "api",
      replicas: 3,
      maxSurge: 1,
      maxUnavailable: 0,
      prefix: "10.1.9",
      gates,
      startMs: 1,
      graceMs: 12_000,
      onGone: (pod, at) => monitor.podGone(pod, at),
    }, now);
    monitor.observe(now);
    const results: SyncResult[] = [];
    const oldLeft = () =>
      rolloutPlaces(world).some((p) =>
        world.emulator.targets(p.lbId, p.listenerId, p.locationId).some((t) =>
          t.startsWith("10.1.0.")
        )
      );
    let step = 0;
    for (; step < 60 && (!sim.done() || oldLeft()); step++) {
      for (let i = 0; i < stepsPerRun; i++) {
        now += STEP_MS / stepsPerRun;
        sim.step(now);
        monitor.observe(now);
      }
      faults?.(step, world);
      results.push(await world.sync());
      monitor.observe(now);
    }
    assert(sim.done() && !oldLeft(), `the rollout finished in ${step} steps`);
    if (!check) return { world, monitor, results, steps: step };
    assertEquals(monitor.violations, []);
    assertEquals(monitor.earlyRemovals(DRAIN_MS), []);
    const removed = [...monitor.lives].filter(([key, l]) => key.includes("10.1.0.") && l.removedAt);
    assertEquals(removed.length, 6, "each old pod's target went from both rules, through weight 0");
    for (const [, life] of removed) assert(life.removedAt! - life.zeroAt! >= DRAIN_MS);
    const gatePatches = world.cluster.patches.filter((p) => p.condition.status === "True");
    assertEquals(
      new Set(gatePatches.map((p) => p.pod)),
      new Set([
        ...(gates.length ? ["api-1", "api-2", "api-3"] : []),
        "api-new-1",
        "api-new-2",
        "api-new-3",
      ]),
    );
    return { world, monitor, results, steps: step };
  } catch (error) {
    await world.close();
    throw error;
  }
}

Deno.test("a rolling update (CronJob mode) keeps a Ready serving target on every rule at every step", async () => {
  const { world, monitor, results, steps } = await cronRollout();
  try {
    assert(results.every((r) => r.exitCode === 0));
    console.log(
      `rolling update 3→3, CronJob mode, ${steps} runs, ${monitor.observations} checks: min weight>0 Ready targets per rule`,
      JSON.stringify(Object.fromEntries(monitor.minServing)),
    );
    for (const min of monitor.minServing.values()) assert(min >= 1);
  } finally {
    await world.close();
  }
});

Deno.test("CLB faults during a rolling update delay the gate but never set it wrongly", async () => {
  let delayed = 0;
  const { world, monitor, results } = await cronRollout({
    faults: (step, world) => {
      const e = world.emulator;
      switch (step % 4) {
        case 0:
          e.failNext("BatchRegisterTargets", "RequestLimitExceeded", { times: 2 });
          e.failNext("DescribeTargetHealth", "RequestLimitExceeded");
          break;
        case 1:
          e.busy("lb-def", 60); // someone else's task: ResourceInOperating, retried
          e.failNext("BatchModifyTargetWeight", "FailedOperation.ResourceInOperating");
          break;
        case 2:
          // The registration's async task fails, and so does the per-listener retry.
          e.failTask("BatchRegisterTargets");
          e.failTask("RegisterTargets", { times: 2 });
          e.failTask("BatchModifyTargetWeight");
          e.failTask("ModifyTargetWeight", { times: 2 });
          break;
      }
    },
  });
  try {
    delayed = results.filter((r) => r.exitCode === 1 && (r.gates?.waiting ?? 0) > 0).length;
    assert(delayed > 0, "some run ended with a gate still waiting because a write failed");
    for (const min of monitor.minServing.values()) assert(min >= 1);
    console.log(
      `rolling update with CLB faults: ${results.length} runs, ${delayed} left a gate waiting; min weight>0 Ready targets per rule`,
      JSON.stringify(Object.fromEntries(monitor.minServing)),
    );
  } finally {
    await world.close();
  }
});

Deno.test("with the gate, a CronJob that trails the controller still never leaves a rule without a Ready target", async () => {
  const { world, monitor } = await cronRollout({ stepsPerRun: 8 });
  try {
    for (const min of monitor.minServing.values()) assert(min >= 1);
  } finally {
    await world.close();
  }
});

Deno.test("without the gate, the same trailing CronJob leaves a rule with no Ready serving target (the outage the gate closes)", async () => {
  const { world, monitor } = await cronRollout({ gates: [], stepsPerRun: 8, check: false });
  try {
    assert(monitor.violations.some((v) => v.includes("has no serving Ready target")));
    assertEquals([...monitor.minServing.values()], [0, 0]);
  } finally {
    await world.close();
  }
});
