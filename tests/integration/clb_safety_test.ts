// What clb-sync must never do: touch targets it does not own, empty a rule because Kubernetes
// could not be read, remove most of a rule at once without --force, or write during a dry run.
// Each of the original Go tool's defects has a regression test here too.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { expectTargets, threeRuleWorld } from "../support/clb_harness.ts";

Deno.test("a hand-added CVM target and a foreign ENI target survive every run", async () => {
  const world = await threeRuleWorld({ pods: 3 });
  const lb = "lb-abc";
  const { http80, api } = world;
  world.emulator.addTarget(lb, http80.listenerId, api.locationId, {
    type: "CVM",
    ip: "10.8.0.1",
    port: 8080,
    instanceId: "ins-handmade",
  });
  world.emulator.addTarget(lb, http80.listenerId, api.locationId, { ip: "10.8.0.2", port: 8080 });
  world.emulator.addTarget(lb, http80.listenerId, api.locationId, {
    ip: "10.8.0.3",
    port: 8080,
    tag: "other-controller",
  });
  const foreign = [
    "10.8.0.2:8080 w10",
    "10.8.0.3:8080 w10 other-controller",
    "ins-handmade:8080 w10",
  ];
  try {
    assertEquals((await world.sync()).exitCode, 0);
    assertEquals(world.targets().api, [...expectTargets("10.1.0", 8080, 3), ...foreign].sort());
    // Scale to zero with --force: every podgate target goes, the foreign ones stay.
    world.cluster.scale("shop", "api", 0, "10.1.0");
    assertEquals((await world.sync({ force: true, drainSeconds: 0 })).exitCode, 0);
    assertEquals(world.targets().api, foreign.sort());
    assertEquals((await world.sync()).rules[0]?.foreign, 3);
    const touched = world.emulator.writeCalls().flatMap((c) => JSON.stringify(c.params))
      .filter((p) => p.includes("10.8.0.") || p.includes("ins-handmade"));
    assertEquals(touched, [], "no write ever named a foreign target");
  } finally {
    await world.close();
  }
});

Deno.test("the ownership tag is configurable: another tag's targets are foreign", async () => {
  const world = await threeRuleWorld({ pods: 2 });
  world.emulator.addTarget("lb-abc", world.http80.listenerId, world.api.locationId, {
    ip: "10.1.0.77",
    port: 8080,
    tag: "podgate",
  });
  try {
    const result = await world.sync({ tag: "team-a" });
    assertEquals(result.exitCode, 0);
    assertEquals(world.targets().api, [
      "10.1.0.1:8080 w10 team-a",
      "10.1.0.2:8080 w10 team-a",
      "10.1.0.77:8080 w10 podgate",
    ]);
  } finally {
    await world.close();
  }
});

Deno.test("--adopt takes over the original tool's untagged ENI targets, never CVMs", async () => {
  const world = await threeRuleWorld({ pods: 3 });
  const { http80, api } = world;
  // What the original tool left: two live pods untagged, one dead pod's target, and a CVM.
  for (const ip of ["10.1.0.1", "10.1.0.2", "10.1.0.99"]) {
    world.emulator.addTarget("lb-abc", http80.listenerId, api.locationId, { ip, port: 8080 });
  }
  world.emulator.addTarget("lb-abc", http80.listenerId, api.locationId, {
    type: "CVM",
    ip: "10.8.0.1",
    port: 8080,
    instanceId: "ins-handmade",
  });
  try {
    const without = await world.sync({ dryRun: true });
    assertEquals(without.exitCode, 0);
    assert(
      world.logs.some((l) => l.msg === "target_held_by_foreign" && l.target === "10.1.0.1:8080"),
      "without --adopt the untagged targets are foreign, and their pods are reported",
    );
    const adopted = await world.sync({ adopt: true, drainSeconds: 0 });
    assertEquals(adopted.exitCode, 0);
    assertEquals(adopted.rules[0]?.adopted, 2);
    assertEquals(
      world.targets().api,
      [
        ...expectTargets("10.1.0", 8080, 3),
        "ins-handmade:8080 w10",
      ].sort(),
    );
    const after = await world.sync();
    assertEquals(after.rules[0]?.status, "in_sync", "adopted targets are podgate's from now on");
  } finally {
    await world.close();
  }
});

Deno.test("an unreadable Deployment skips its rule, never empties it, and exits 2", async () => {
  for (
    const [prefix, status] of [
      ["/apis/apps/v1/namespaces/shop/deployments/api", 404],
      ["/apis/apps/v1/namespaces/shop/deployments/api", 403],
      ["/api/v1/namespaces/shop/pods", 500],
    ] as const
  ) {
    const world = await threeRuleWorld({ pods: 3 });
    try {
      await world.sync();
      const before = world.targets();
      world.cluster.failures.set(prefix, status);
      world.cluster.scale("shop", "web", 4, "10.2.0"); // the readable rules still get applied
      const result = await world.sync();
      assertEquals(result.exitCode, 2, `${prefix} → ${status}`);
      const skipped = result.rules.filter((r) => r.status === "skipped").map((r) => r.rule);
      if (prefix.endsWith("/pods")) {
        // Every Deployment in the namespace lists pods there.
        assertEquals(skipped.length, 3);
      } else {
        assertEquals(skipped, ["lb-abc/HTTP:80 example.com/api"]);
        assertEquals(world.targets().web, expectTargets("10.2.0", 8080, 4));
      }
      assertEquals(world.targets().api, before.api, "the skipped rule kept its targets");
      assert(world.logs.some((l) => l.msg === "rule_skipped" && l.level === "error"));
    } finally {
      await world.close();
    }
  }
});

Deno.test("the deletion guard refuses to remove most of a rule unless --force, and exits 1", async () => {
  const world = await threeRuleWorld({ pods: 4 });
  try {
    await world.sync();
    world.cluster.scale("shop", "api", 1, "10.1.0");
    world.cluster.scale("shop", "web", 0, "10.2.0");
    const dry = await world.sync({ dryRun: true });
    assertEquals(dry.exitCode, 1, "a dry run predicts the refusal");
    const refused = await world.sync();
    assertEquals(refused.exitCode, 1);
    assertEquals(refused.rules.map((r) => r.status), ["refused", "refused", "in_sync"]);
    assertMatch(
      refused.rules[0]!.reason!,
      /take 3 of 4 serving targets out of service .*more than 50%.*--force/,
    );
    assertMatch(refused.rules[1]!.reason!, /all 4 of the rule's serving targets/);
    assertEquals(world.targets().api, expectTargets("10.1.0", 8080, 4), "nothing drained");
    assertEquals(world.targets().web, expectTargets("10.2.0", 8080, 4));

    const share = await world.sync({ maxDeleteShare: 0.8, drainSeconds: 0 });
    assertEquals(
      share.rules.map((r) => r.status),
      ["applied", "refused", "in_sync"],
      "the share is configurable",
    );
    const forced = await world.sync({ force: true, drainSeconds: 0 });
    assertEquals(forced.exitCode, 0);
    assertEquals(world.targets().api, expectTargets("10.1.0", 8080, 1));
    assertEquals(world.targets().web, []);
  } finally {
    await world.close();
  }
});

Deno.test("--dry-run prints the plan, writes nothing and exits 0", async () => {
  const world = await threeRuleWorld({ pods: 5 });
  try {
    const result = await world.sync({ dryRun: true });
    assertEquals(result.exitCode, 0);
    assertEquals(result.rules.map((r) => r.status), ["planned", "planned", "planned"]);
    assertEquals(world.emulator.writeCalls(), []);
    assertEquals(world.targets(), { api: [], web: [], tcp: [] });
    const plans = world.logs.filter((l) => l.msg === "plan").map((l) => l.text).sort();
    assertEquals(plans, [
      "lb-abc/HTTP:80 example.com/api: +5 register, -0 deregister, 0 unchanged",
      "lb-abc/HTTP:80 example.com/web: +5 register, -0 deregister, 0 unchanged",
      "lb-def/TCP:9000: +5 register, -0 deregister, 0 unchanged",
    ]);
  } finally {
    await world.close();
  }
});

Deno.test("a rule bound to a target group is refused with a clear message; the others apply", async () => {
  const world = await threeRuleWorld({ pods: 2 });
  world.api.targetType = "TARGETGROUP";
  world.tcp9000.targetType = "TARGETGROUP";
  try {
    const result = await world.sync();
    assertEquals(result.exitCode, 2);
    assertEquals(result.rules.map((r) => r.status), ["skipped", "applied", "skipped"]);
    assertStringIncludes(
      result.rules[0]!.reason!,
      "rule example.com/api forwards to a target group (TargetType TARGETGROUP)",
    );
    assertStringIncludes(result.rules[2]!.reason!, "listener TCP:9000 forwards to a target group");
    assertEquals(
      world.emulator.targets("lb-abc", world.http80.listenerId, world.web.locationId).length,
      2,
    );
    assertEquals(world.emulator.writeCalls().map((c) => c.action), ["BatchRegisterTargets"]);
  } finally {
    await world.close();
  }
});

Deno.test("a rule whose load balancer, listener or domain/url does not exist is skipped (exit 2)", async () => {
  const world = await threeRuleWorld({
    pods: 1,
    rulesText: `
- load_balancer_id: lb-abc
  listeners:
    - {port: 80, protocol: HTTP, rules: [{domain: example.com, url: /nope, backend: {namespace: shop, deployment: api, port: 8080}}]}
    - {port: 81, protocol: HTTP, rules: [{domain: example.com, url: /api, backend: {namespace: shop, deployment: api, port: 8080}}]}
    - {port: 80, protocol: http, rules: [{domain: EXAMPLE.com, url: /web, backend: {namespace: shop, deployment: web, port: 8080}}]}
- load_balancer_id: lb-gone
  listeners:
    - {port: 9000, protocol: tcp, backend: {namespace: shop, deployment: tcp, port: 9000}}
`,
  });
  try {
    const result = await world.sync();
    assertEquals(result.exitCode, 2);
    assertEquals(result.rules.map((r) => [r.status, r.reason ?? ""]), [
      ["skipped", `listener HTTP:80 (${world.http80.listenerId}) has no rule for example.com/nope`],
      ["skipped", "lb-abc has no HTTP:81 listener"],
      ["applied", ""],
      ["skipped", "load balancer lb-gone not found"],
    ]);
  } finally {
    await world.close();
  }
});

Deno.test("original defects: only Ready pods, matchExpressions, L4 listeners, dead pods removed", async () => {
  const world = await threeRuleWorld({ pods: 0 });
  const api = world.cluster.deployments.get("shop/api")!;
  api.pods = [
    { name: "ready", ip: "10.1.0.1" },
    { name: "not-ready", ip: "10.1.0.2", ready: false },
    { name: "terminating-not-ready", ip: "10.1.0.3", terminating: true, ready: false },
    { name: "pending", ip: "10.1.0.4", phase: "Pending" },
    { name: "wrong-tier", ip: "10.1.0.5", labels: { app: "api", tier: "batch" } },
  ];
  world.cluster.scale("shop", "tcp", 2, "10.3.0");
  try {
    assertEquals((await world.sync()).exitCode, 0);
    assertEquals(world.targets().api, ["10.1.0.1:8080 w10 podgate"], "podIP alone is not enough");
    assertEquals(world.targets().tcp, expectTargets("10.3.0", 9000, 2), "TCP listeners are synced");
    // A pod dies and is replaced on the same port: the dead one's target goes.
    world.cluster.scale("shop", "tcp", 2, "10.3.1");
    assertEquals((await world.sync({ drainSeconds: 0 })).exitCode, 0);
    assertEquals(world.targets().tcp, expectTargets("10.3.1", 9000, 2));
  } finally {
    await world.close();
  }
});

Deno.test("a terminating pod goes to weight 0 first, and is removed once gone and drained", async () => {
  const world = await threeRuleWorld({ pods: 3 });
  let now = 1_800_000_000_000;
  world.clock.now = () => now;
  try {
    await world.sync();
    world.cluster.pod("shop", "api", "api-2").terminating = true;
    const draining = await world.sync();
    assertEquals(draining.rules[0]?.reweighted, 1);
    assertEquals(draining.rules[0]?.drained, 1);
    assertEquals(draining.rules[0]?.deregistered, 0);
    assert(world.targets().api.includes(`10.1.0.2:8080 w0 podgate:drain:${now}`));
    assert(world.logs.some((l) => l.msg === "drain" && l.target === "10.1.0.2:8080"));
    now += 60_000;
    assertEquals((await world.sync()).rules[0]?.status, "in_sync", "still running: left at 0");
    const api = world.cluster.deployments.get("shop/api")!;
    api.pods = api.pods.filter((p) => p.name !== "api-2");
    // Gone, and drained for longer than drainSeconds (10): removed.
    const removed = await world.sync();
    assertEquals(removed.rules[0]?.deregistered, 1);
    assertEquals(world.targets().api, ["10.1.0.1:8080 w10 podgate", "10.1.0.3:8080 w10 podgate"]);
  } finally {
    await world.close();
  }
});
