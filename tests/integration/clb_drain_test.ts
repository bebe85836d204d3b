// Drain before removal, across separate runs (each a fresh process as far as clb-sync knows: the
// only memory is the CLB target's Tag). A leaving target goes to weight 0 first and is removed
// only once drainSeconds have passed and its pod is gone, whichever is later — even when the pod
// object vanished between two runs while its target still carried traffic.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { drainSince } from "../../src/clb/drain_marker.ts";
import { threeRuleWorld, type World } from "../support/clb_harness.ts";

const T0 = 1_800_000_000_000;

async function clocked(options: Parameters<typeof threeRuleWorld>[0] = {}) {
  const world = await threeRuleWorld({ pods: 3, ...options });
  const clock = { at: T0 };
  world.clock.now = () => clock.at;
  return { world, clock };
}

const apiTarget = (world: World, ip: string) =>
  world.targets().api.find((t) => t.startsWith(`${ip}:`));

Deno.test("a pod gone between two runs at weight 10 sits at weight 0 for drainSeconds before removal", async () => {
  const { world, clock } = await clocked();
  try {
    await world.sync();
    const api = world.cluster.deployments.get("shop/api")!;
    api.pods = api.pods.filter((p) => p.name !== "api-2"); // deleted and gone within one interval
    clock.at = T0 + 60_000;
    const first = await world.sync();
    assertEquals(first.exitCode, 0);
    assertEquals(first.rules[0]?.deregistered, 0, "never removed straight from weight 10");
    assertEquals(apiTarget(world, "10.1.0.2"), `10.1.0.2:8080 w0 podgate:drain:${T0 + 60_000}`);
    assertEquals(first.nextPassInMs, 10_000, "--watch comes back when it is due");
    clock.at = T0 + 69_999;
    assertEquals((await world.sync()).rules[0]?.status, "in_sync");
    assert(apiTarget(world, "10.1.0.2"), "still there a moment before drainSeconds");
    clock.at = T0 + 70_000;
    const removed = await world.sync();
    assertEquals(removed.rules[0]?.deregistered, 1);
    assertEquals(apiTarget(world, "10.1.0.2"), undefined);
    const plan = world.logs.filter((l) => l.msg === "plan" && String(l.text).includes("/api"));
    assertEquals(plan.map((l) => String(l.text).replace(/^.*?: /, "")).slice(1), [
      "+0 register, -0 deregister, 2 unchanged, 1 to drain",
      "+0 register, -0 deregister, 2 unchanged, 1 draining",
      "+0 register, -1 deregister, 2 unchanged",
    ]);
  } finally {
    await world.close();
  }
});

Deno.test("a terminating pod is removed after drainSeconds or once gone, whichever is later", async () => {
  const { world, clock } = await clocked({ pods: 4 });
  try {
    await world.sync();
    const api = world.cluster.deployments.get("shop/api")!;
    world.cluster.pod("shop", "api", "api-1").terminating = true; // goes quickly
    world.cluster.pod("shop", "api", "api-3").terminating = true; // lingers past drainSeconds
    await world.sync();
    assertMatch(apiTarget(world, "10.1.0.1")!, / w0 podgate:drain:\d+$/);
    assertMatch(apiTarget(world, "10.1.0.3")!, / w0 podgate:drain:\d+$/);
    clock.at = T0 + 3_000;
    api.pods = api.pods.filter((p) => p.name !== "api-1");
    await world.sync();
    assert(apiTarget(world, "10.1.0.1"), "gone, but drainSeconds not over");
    clock.at = T0 + 10_000;
    await world.sync();
    assertEquals(apiTarget(world, "10.1.0.1"), undefined, "gone and drained: removed");
    assert(apiTarget(world, "10.1.0.3"), "drained, but its pod still terminating: kept");
    clock.at = T0 + 300_000;
    await world.sync();
    assert(apiTarget(world, "10.1.0.3"));
    api.pods = api.pods.filter((p) => p.name !== "api-3");
    await world.sync();
    assertEquals(world.targets().api, ["10.1.0.2:8080 w10 podgate", "10.1.0.4:8080 w10 podgate"]);
  } finally {
    await world.close();
  }
});

Deno.test("drain_seconds is set per rule; the drain's clock lives on the CLB, not in clb-sync", async () => {
  const { world, clock } = await clocked({
    rulesText: `
- load_balancer_id: lb-abc
  listeners:
    - port: 80
      protocol: http
      rules:
        - {domain: example.com, url: /api, backend: {namespace: shop, deployment: api, port: 8080, drain_seconds: 30}}
        - {domain: example.com, url: /web, backend: {namespace: shop, deployment: web, port: 8080}}
`,
  });
  try {
    await world.sync();
    for (const d of ["api", "web"]) {
      const state = world.cluster.deployments.get(`shop/${d}`)!;
      state.pods = state.pods.slice(1);
    }
    await world.sync();
    const marked = world.emulator.state.place(
      "lb-abc",
      world.http80.listenerId,
      world.api.locationId,
    )
      .find((t) => t.ip === "10.1.0.1")!;
    assertEquals(drainSince(marked.tag, "podgate"), T0);
    clock.at = T0 + 10_000;
    await world.sync();
    assertEquals(world.targets().web.length, 2, "web: the default 10 s");
    assertEquals(world.targets().api.length, 3, "api: 30 s");
    clock.at = T0 + 30_000;
    await world.sync();
    assertEquals(world.targets().api.length, 2);
  } finally {
    await world.close();
  }
});

Deno.test("a drained target whose pod serves again goes back to its weight and plain tag", async () => {
  const { world } = await clocked();
  try {
    await world.sync();
    world.cluster.pod("shop", "api", "api-2").ready = false; // its readiness probe fails
    await world.sync();
    assertMatch(apiTarget(world, "10.1.0.2")!, / w0 podgate:drain:/);
    world.cluster.pod("shop", "api", "api-2").ready = true;
    await world.sync();
    assertEquals(apiTarget(world, "10.1.0.2"), "10.1.0.2:8080 w10 podgate");
  } finally {
    await world.close();
  }
});

Deno.test("the deletion guard covers drains: a rule is never drained empty without --force", async () => {
  const { world } = await clocked();
  try {
    await world.sync();
    for (const p of world.cluster.deployments.get("shop/api")!.pods) p.terminating = true;
    const refused = await world.sync();
    assertEquals(refused.rules[0]?.status, "refused");
    assertMatch(refused.rules[0]!.reason!, /all 3 of the rule's serving targets/);
    assertEquals(world.targets().api.filter((t) => t.includes(" w10 ")).length, 3);
    const forced = await world.sync({ force: true });
    assertEquals(forced.rules[0]?.drained, 3);
  } finally {
    await world.close();
  }
});
