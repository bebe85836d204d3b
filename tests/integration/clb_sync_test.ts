// clb-sync against the CLB emulator, through the vendor SDK's real TC3 signing: what lands on
// the load balancers, what the plan says, and how many API calls it took.
import { assert, assertEquals } from "@std/assert";
import { expectTargets, threeRuleWorld } from "../support/clb_harness.ts";

Deno.test("clb-sync registers 30 Ready pods on 3 rules, then a second run makes no write call", async () => {
  const world = await threeRuleWorld();
  try {
    const first = await world.sync();
    assertEquals(first.exitCode, 0);
    assertEquals(world.targets(), {
      api: expectTargets("10.1.0", 8080, 10),
      web: expectTargets("10.2.0", 8080, 10),
      tcp: expectTargets("10.3.0", 9000, 10),
    });
    assertEquals(first.rules.map((r) => [r.rule, r.status, r.registered]), [
      ["lb-abc/HTTP:80 example.com/api", "applied", 10],
      ["lb-abc/HTTP:80 example.com/web", "applied", 10],
      ["lb-def/TCP:9000", "applied", 10],
    ]);
    const firstCalls = world.emulator.callCounts();
    console.log("first sync (3 rules, 30 pods):", JSON.stringify(firstCalls));
    // One batch per load balancer carries all its registrations.
    assertEquals(world.emulator.count("BatchRegisterTargets"), 2);

    const writesBefore = world.emulator.writeCalls().length;
    const callsBefore = world.emulator.calls.length;
    const second = await world.sync();
    assertEquals(second.exitCode, 0);
    assertEquals(second.rules.map((r) => r.status), ["in_sync", "in_sync", "in_sync"]);
    assertEquals(world.emulator.writeCalls().length, writesBefore, "an idle run writes nothing");
    const idle: Record<string, number> = {};
    for (const c of world.emulator.calls.slice(callsBefore)) {
      idle[c.action] = (idle[c.action] ?? 0) + 1;
    }
    console.log("idle second sync:", JSON.stringify(idle));
    assertEquals(idle, { DescribeLoadBalancers: 1, DescribeListeners: 2, DescribeTargets: 2 });
    assertEquals(second.calls, idle, "the pass reports the calls the emulator saw");
  } finally {
    await world.close();
  }
});

Deno.test("clb-sync prints one plan line per rule and deregistrations as warnings", async () => {
  const world = await threeRuleWorld({ pods: 4 });
  try {
    await world.sync();
    world.logs.length = 0;
    world.cluster.scale("shop", "api", 5, "10.1.0"); // +1
    const web = world.cluster.deployments.get("shop/web")!;
    web.pods = web.pods.filter((p) => p.name !== "web-2"); // -1
    // drainSeconds 0: a gone pod's target goes at once (clb_drain_test.ts has the drain).
    const result = await world.sync({ drainSeconds: 0 });
    assertEquals(result.exitCode, 0);
    // Load balancers are planned in parallel: compare in rule order.
    const plans = world.logs.filter((l) => l.msg === "plan").map((l) => [l.level, l.text])
      .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    assertEquals(plans, [
      ["info", "lb-abc/HTTP:80 example.com/api: +1 register, -0 deregister, 4 unchanged"],
      ["warn", "lb-abc/HTTP:80 example.com/web: +0 register, -1 deregister, 3 unchanged"],
      ["info", "lb-def/TCP:9000: +0 register, -0 deregister, 4 unchanged"],
    ]);
    const warned = world.logs.filter((l) => l.msg === "deregister");
    assertEquals(warned.map((l) => [l.level, l.rule, l.target]), [
      ["warn", "lb-abc/HTTP:80 example.com/web", "10.2.0.2:8080"],
    ]);
    assertEquals(
      world.targets().web,
      expectTargets("10.2.0", 8080, 4).filter((t) => !t.startsWith("10.2.0.2:")),
    );
    assertEquals(world.targets().api, expectTargets("10.1.0", 8080, 5));
  } finally {
    await world.close();
  }
});

Deno.test("clb-sync registers before it deregisters, and waits for each task (the original never did)", async () => {
  const world = await threeRuleWorld({ pods: 2 });
  try {
    await world.sync();
    const mark = world.emulator.calls.length;
    // A rolling update: both pods replaced (drainSeconds 0: the old targets go in this pass).
    world.cluster.scale("shop", "api", 2, "10.9.0");
    const result = await world.sync({ drainSeconds: 0 });
    assertEquals(result.exitCode, 0);
    const actions = world.emulator.calls.slice(mark).map((c) => c.action)
      .filter((a) =>
        a !== "DescribeListeners" && a !== "DescribeTargets" && a !== "DescribeLoadBalancers"
      );
    assertEquals(actions[0], "BatchRegisterTargets");
    const dereg = actions.indexOf("BatchDeregisterTargets");
    assert(dereg > 0, `deregistered: ${actions}`);
    assert(
      actions.slice(1, dereg).includes("DescribeTaskStatus"),
      "the registration's task finished before the deregistration started",
    );
    assertEquals(actions.at(-1), "DescribeTaskStatus");
    assertEquals(world.targets().api, expectTargets("10.9.0", 8080, 2));
  } finally {
    await world.close();
  }
});
