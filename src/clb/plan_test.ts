import { assert, assertEquals } from "@std/assert";
import { drainTag } from "./drain_marker.ts";
import { guardRefusal, hasChanges, planRule } from "./plan.ts";
import { formatPlan } from "./plan_format.ts";
import type { ActualTarget, DesiredTarget } from "./types.ts";

const want = (ip: string, weight = 10, draining = false): DesiredTarget => ({
  ip,
  port: 8080,
  weight,
  pod: `pod-${ip}`,
  draining,
});
const have = (ip: string, over: Partial<ActualTarget> = {}): ActualTarget => ({
  ip,
  port: 8080,
  weight: 10,
  type: "ENI",
  tag: "podgate",
  ...over,
});
/** Removal at once: the drain tests below set drainMs. */
const options = { tag: "podgate", adopt: false };
const ips = (list: readonly { ip: string }[]) => list.map((t) => t.ip);

Deno.test("planRule() registers new pods, deregisters gone ones, keeps the rest", () => {
  const plan = planRule(
    [want("10.0.0.1"), want("10.0.0.2"), want("10.0.0.3"), want("10.0.0.4"), want("10.0.0.5")],
    [have("10.0.0.1"), have("10.0.0.2"), have("10.0.0.3"), have("10.0.0.9")],
    options,
  );
  assertEquals(ips(plan.register), ["10.0.0.4", "10.0.0.5"]);
  assertEquals(ips(plan.deregister), ["10.0.0.9"]);
  assertEquals(plan.unchanged, 3);
  assertEquals(
    formatPlan("lb-abc/HTTP:80 example.com/api", plan),
    "lb-abc/HTTP:80 example.com/api: +2 register, -1 deregister, 3 unchanged",
  );
});

Deno.test("planRule() removes a dead pod's target even when the port is unchanged (original defect)", () => {
  // The original tool compared ports only, so a dead pod on the same port stayed forever.
  const plan = planRule([want("10.0.0.2")], [have("10.0.0.1"), have("10.0.0.2")], options);
  assertEquals(ips(plan.deregister), ["10.0.0.1"]);
  assertEquals(plan.register, []);
});

Deno.test("planRule() never touches CVM targets or ENI targets without podgate's tag", () => {
  const cvm = have("10.0.1.1", { type: "CVM", tag: "", instanceId: "ins-abc" });
  const untagged = have("10.0.1.2", { tag: "" });
  const otherTool = have("10.0.1.3", { tag: "ingress-controller" });
  const plan = planRule([], [cvm, untagged, otherTool, have("10.0.0.1")], options);
  assertEquals(ips(plan.deregister), ["10.0.0.1"]);
  assertEquals(plan.foreign, 3);
  assertEquals(plan.managedBefore, 1);
});

Deno.test("planRule() with adopt takes over untagged ENI targets but never CVMs", () => {
  const plan = planRule(
    [want("10.0.1.2")],
    [
      have("10.0.1.1", { tag: "" }), // the original tool's, pod gone: removed
      have("10.0.1.2", { tag: "" }), // the original tool's, pod alive: tagged, kept
      have("10.0.1.3", { type: "CVM", tag: "" }),
    ],
    { tag: "podgate", adopt: true },
  );
  assertEquals(ips(plan.adopt), ["10.0.1.2"]);
  assertEquals(ips(plan.deregister), ["10.0.1.1"]);
  assertEquals(plan.foreign, 1);
});

Deno.test("planRule() reports a pod whose address a foreign target already holds", () => {
  const plan = planRule([want("10.0.1.2")], [have("10.0.1.2", { tag: "" })], options);
  assertEquals(plan.register, [], "registering it again would fail: the address is taken");
  assertEquals(plan.blocked, ["10.0.1.2:8080"]);
  assert(!hasChanges(plan));
});

Deno.test("planRule() drains a terminating pod to weight 0, then removes it once it is gone", () => {
  const first = planRule([want("10.0.0.1"), want("10.0.0.2", 0, true)], [
    have("10.0.0.1"),
    have("10.0.0.2"),
  ], options);
  assertEquals(first.reweight, [{ ip: "10.0.0.2", port: 8080, weight: 0 }]);
  assertEquals(first.retag, [{ ip: "10.0.0.2", port: 8080, tag: "drain" }]);
  assertEquals(first.drain.length, 1);
  assertEquals(first.deregister, []);
  const marked = drainTag("podgate", 1_000);
  const second = planRule([want("10.0.0.1"), want("10.0.0.2", 0, true)], [
    have("10.0.0.1"),
    have("10.0.0.2", { weight: 0, tag: marked }),
  ], { ...options, now: 50_000 });
  assert(!hasChanges(second), "while it still serves at weight 0, nothing to do");
  assertEquals(second.waiting, 1);
  const third = planRule(
    [want("10.0.0.1")],
    [have("10.0.0.1"), have("10.0.0.2", { weight: 0, tag: marked })],
    { ...options, now: 50_000 },
  );
  assertEquals(ips(third.deregister), ["10.0.0.2"]);
  const late = planRule([want("10.0.0.3", 0, true)], [], options);
  assertEquals(late.register, [], "a pod already terminating is never registered");
});

Deno.test("planRule() removes a drained target only after drainMs, even if its pod vanished", () => {
  const drain = { ...options, drainMs: 10_000 };
  // The pod disappeared between two runs while its target still had weight 10.
  const first = planRule([want("10.0.0.1")], [have("10.0.0.1"), have("10.0.0.2")], {
    ...drain,
    now: 100_000,
  });
  assertEquals(first.deregister, [], "never removed at once");
  assertEquals(first.reweight, [{ ip: "10.0.0.2", port: 8080, weight: 0 }]);
  assertEquals(first.retag, [{ ip: "10.0.0.2", port: 8080, tag: "drain" }]);
  assertEquals(first.nextRemovalAt, 110_000);
  const drained = have("10.0.0.2", { weight: 0, tag: drainTag("podgate", 100_500) });
  const early = planRule([want("10.0.0.1")], [have("10.0.0.1"), drained], {
    ...drain,
    now: 110_000,
  });
  assertEquals(early.deregister, []);
  assertEquals(early.waiting, 1);
  assertEquals(early.nextRemovalAt, 110_500);
  const due = planRule([want("10.0.0.1")], [have("10.0.0.1"), drained], { ...drain, now: 110_500 });
  assertEquals(ips(due.deregister), ["10.0.0.2"]);
  // Its pod still terminating long after drainMs: it stays until the pod is gone.
  const held = planRule(
    [want("10.0.0.1"), want("10.0.0.2", 0, true)],
    [have("10.0.0.1"), drained],
    {
      ...drain,
      now: 900_000,
    },
  );
  assert(!hasChanges(held));
  assertEquals(held.nextRemovalAt, undefined, "its pod decides, not the clock");
});

Deno.test("planRule() restarts a drain whose weight was raised by hand, and undoes one whose pod is back", () => {
  const drain = { ...options, drainMs: 10_000, now: 200_000 };
  const raised = planRule(
    [],
    [have("10.0.0.2", { weight: 10, tag: drainTag("podgate", 1) })],
    drain,
  );
  assertEquals(raised.deregister, []);
  assertEquals(raised.reweight, [{ ip: "10.0.0.2", port: 8080, weight: 0 }]);
  assertEquals(raised.retag, [{ ip: "10.0.0.2", port: 8080, tag: "drain" }]);
  const back = planRule(
    [want("10.0.0.2")],
    [have("10.0.0.2", { weight: 0, tag: drainTag("podgate", 1) })],
    drain,
  );
  assertEquals(back.reweight, [{ ip: "10.0.0.2", port: 8080, weight: 10 }]);
  assertEquals(back.retag, [{ ip: "10.0.0.2", port: 8080, tag: "plain" }]);
});

Deno.test("planRule() with allowLeave false keeps serving targets in service", () => {
  const plan = planRule([], [have("10.0.0.1"), have("10.0.0.2")], {
    ...options,
    drainMs: 10_000,
    allowLeave: false,
  });
  assert(!hasChanges(plan));
  assertEquals(plan.held, 2);
});

Deno.test("planRule() with nothing changed plans nothing", () => {
  const plan = planRule([want("10.0.0.1", 30)], [have("10.0.0.1", { weight: 30 })], options);
  assert(!hasChanges(plan));
  assertEquals(
    formatPlan("lb-1/TCP:9000", plan),
    "lb-1/TCP:9000: +0 register, -0 deregister, 1 unchanged",
  );
});

Deno.test("guardRefusal() refuses to take out more than the share, or every serving target", () => {
  const four = [have("10.0.0.1"), have("10.0.0.2"), have("10.0.0.3"), have("10.0.0.4")];
  assertEquals(
    guardRefusal(planRule([want("10.0.0.1"), want("10.0.0.2")], four, options), 0.5),
    undefined,
  );
  assertEquals(
    guardRefusal(planRule([want("10.0.0.1")], four, options), 0.5),
    "it would take 3 of 4 serving targets out of service (3 net, more than 50%)",
  );
  assertEquals(
    guardRefusal(planRule([], four, options), 1),
    "it would take all 4 of the rule's serving targets out of service",
  );
  assertEquals(guardRefusal(planRule([want("10.0.0.1")], four, options), 0.8), undefined);
});

Deno.test("guardRefusal() lets a rolling update replace every target one for one", () => {
  const plan = planRule(
    [want("10.0.1.1"), want("10.0.1.2")],
    [have("10.0.0.1"), have("10.0.0.2")],
    options,
  );
  assertEquals(plan.deregister.length, 2);
  assertEquals(guardRefusal(plan, 0.5), undefined);
  const drained = planRule(
    [want("10.0.1.1"), want("10.0.1.2")],
    [have("10.0.0.1"), have("10.0.0.2")],
    { ...options, drainMs: 10_000 },
  );
  assertEquals([drained.drain.length, guardRefusal(drained, 0.5)], [2, undefined]);
});

Deno.test("guardRefusal() never counts targets already drained to weight 0", () => {
  const drained = (ip: string) => have(ip, { weight: 0, tag: drainTag("podgate", 1) });
  const plan = planRule([], [drained("10.0.0.1"), drained("10.0.0.2")], {
    ...options,
    now: 60_000,
    drainMs: 10_000,
  });
  assertEquals(plan.deregister.length, 2);
  assertEquals(guardRefusal(plan, 0.5), undefined, "they carry no traffic");
});
