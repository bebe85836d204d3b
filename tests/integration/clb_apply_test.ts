// How clb-sync writes: chunked to the API's limits, partial batch failures retried per listener,
// every task waited for, one write at a time per load balancer, ≤ 20 requests/s per action,
// throttling and busy load balancers retried, bad credentials and bad parameters fatal at once.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { ClbEmulator } from "../support/clb_emulator.ts";
import { expectTargets, sdkClient, threeRuleWorld } from "../support/clb_harness.ts";

const SAME_LB_TWO_LISTENERS = `
- load_balancer_id: lb-abc
  listeners:
    - port: 80
      protocol: http
      rules: [{domain: example.com, url: /api, backend: {namespace: shop, deployment: api, port: 8080}}]
    - port: 9001
      protocol: tcp
      backend: {namespace: shop, deployment: tcp, port: 9000}
`;

async function twoListenerWorld(pods = 3) {
  const world = await threeRuleWorld({ pods, rulesText: SAME_LB_TWO_LISTENERS });
  const tcp9001 = world.emulator.state.addListener("lb-abc", "TCP", 9001);
  const tcpTargets = () => world.emulator.targets("lb-abc", tcp9001.listenerId);
  return { world, tcp9001, tcpTargets };
}

Deno.test("registrations are chunked: 500 per batch call", async () => {
  const world = await threeRuleWorld({ pods: 0 });
  world.cluster.scale("shop", "api", 520, "10.1.0");
  try {
    assertEquals((await world.sync()).exitCode, 0);
    const batches = world.emulator.calls.filter((c) => c.action === "BatchRegisterTargets");
    assertEquals(batches.map((c) => (c.params.Targets as unknown[]).length), [500, 20]);
    assertEquals(world.targets().api.length, 520);
  } finally {
    await world.close();
  }
});

Deno.test("a failed batch falls back to per-listener calls of at most 20 targets", async () => {
  const world = await threeRuleWorld({ pods: 0 });
  world.cluster.scale("shop", "api", 45, "10.1.0");
  world.emulator.failNext("BatchRegisterTargets", "FailedOperation", {
    message: "batch unavailable",
  });
  try {
    assertEquals((await world.sync()).exitCode, 0);
    const singles = world.emulator.calls.filter((c) =>
      c.action === "RegisterTargets" && c.code === "ok"
    );
    assertEquals(singles.map((c) => (c.params.Targets as unknown[]).length), [20, 20, 5]);
    assertEquals(world.targets().api, expectTargets("10.1.0", 8080, 45));
  } finally {
    await world.close();
  }
});

Deno.test("a failed weight batch falls back to ModifyTargetWeight per rule", async () => {
  const world = await threeRuleWorld({ pods: 2 });
  try {
    await world.sync();
    world.cluster.pod("shop", "api", "api-1").terminating = true;
    world.emulator.failNext("BatchModifyTargetWeight", "FailedOperation");
    assertEquals((await world.sync()).exitCode, 0);
    const single = world.emulator.calls.filter((c) => c.action === "ModifyTargetWeight");
    assertEquals(single.map((c) => c.params.Targets), [[{
      EniIp: "10.1.0.1",
      Port: 8080,
      Weight: 0,
    }]]);
    assert(world.targets().api.some((t) => /^10\.1\.0\.1:8080 w0 podgate:drain:\d+$/.test(t)));
  } finally {
    await world.close();
  }
});

Deno.test("FailListenerIdSet: the failed listener is retried on its own, the rest stays applied", async () => {
  const { world, tcp9001, tcpTargets } = await twoListenerWorld();
  world.emulator.failListeners("BatchRegisterTargets", [tcp9001.listenerId]);
  try {
    const result = await world.sync();
    assertEquals(result.exitCode, 0);
    assertEquals(world.targets().api, expectTargets("10.1.0", 8080, 3));
    assertEquals(tcpTargets(), expectTargets("10.3.0", 9000, 3));
    const partial = world.logs.find((l) => l.msg === "clb_batch_partial");
    assertEquals(partial?.failed_listeners, [tcp9001.listenerId]);
    const single = world.emulator.calls.filter((c) => c.action === "RegisterTargets");
    assertEquals(single.map((c) => c.params.ListenerId), [tcp9001.listenerId]);
  } finally {
    await world.close();
  }
});

Deno.test("a rule whose registration fails keeps its old targets (make before break) and exits 1", async () => {
  const { world, tcp9001, tcpTargets } = await twoListenerWorld(2);
  try {
    await world.sync();
    world.cluster.scale("shop", "tcp", 2, "10.3.1"); // replace both pods
    world.cluster.scale("shop", "api", 3, "10.1.0");
    world.emulator.failListeners("BatchRegisterTargets", [tcp9001.listenerId]);
    world.emulator.failNext("RegisterTargets", "InvalidParameter.PortCheckFailed", {
      message: "port 9000 is not open",
    });
    const result = await world.sync();
    assertEquals(result.exitCode, 1);
    const tcp = result.rules.find((r) => r.rule === "lb-abc/TCP:9001")!;
    assertEquals(tcp.status, "failed");
    assertMatch(
      tcp.reason!,
      /RegisterTargets failed: InvalidParameter.PortCheckFailed: port 9000 is not open \(RequestId [0-9a-f-]+\)/,
    );
    assertEquals(
      tcpTargets(),
      expectTargets("10.3.0", 9000, 2),
      "old targets kept: nothing deregistered",
    );
    assertEquals(
      world.emulator.calls.filter((c) => c.action === "RegisterTargets").length,
      1,
      "InvalidParameter* is not retried",
    );
    assertEquals(world.targets().api, expectTargets("10.1.0", 8080, 3), "the other rule applied");
  } finally {
    await world.close();
  }
});

Deno.test("a failed task (DescribeTaskStatus 1) is retried per listener, and reported when that fails too", async () => {
  const { world, tcpTargets } = await twoListenerWorld(2);
  try {
    world.emulator.failTask("BatchRegisterTargets");
    assertEquals((await world.sync()).exitCode, 0, "the per-listener retry succeeded");
    assertEquals(tcpTargets().length, 2);

    world.cluster.scale("shop", "tcp", 3, "10.3.0");
    world.emulator.failTask("BatchRegisterTargets");
    world.emulator.failTask("RegisterTargets", { message: "backend ENI not found" });
    const result = await world.sync();
    assertEquals(result.exitCode, 1);
    assertMatch(
      result.rules[1]!.reason!,
      /RegisterTargets task [0-9a-f-]+ failed: backend ENI not found/,
    );
  } finally {
    await world.close();
  }
});

Deno.test("RequestLimitExceeded, a busy load balancer and a timeout are retried (the original only logged)", async () => {
  const world = await threeRuleWorld({
    pods: 3,
    client: { timeoutMs: 150, retryBaseMs: 20, retryMaxMs: 100 },
  });
  try {
    world.emulator.failNext("DescribeListeners", "RequestLimitExceeded", { times: 2 });
    world.emulator.failNext("BatchRegisterTargets", "RequestLimitExceeded");
    world.emulator.delayNext("DescribeTargets", 600);
    // Another client's task on the load balancer, twice.
    world.emulator.failNext("BatchRegisterTargets", "FailedOperation.ResourceInOperating", {
      times: 2,
    });
    const result = await world.sync();
    assertEquals(result.exitCode, 0);
    assertEquals(world.targets().api.length, 3);
    const codes = world.emulator.calls.map((c) => c.code);
    assertEquals(codes.filter((c) => c === "FailedOperation.ResourceInOperating").length, 2);
    assertEquals(codes.filter((c) => c === "RequestLimitExceeded").length, 3);
    assert(world.logs.some((l) => l.msg === "clb_retry" && l.code === "ClientError.Timeout"));
  } finally {
    await world.close();
  }
});

Deno.test("bad credentials fail fast: exit 2, the API's message, nothing written", async () => {
  const emulator = new ClbEmulator({ secrets: { AKIDsomeoneelse: "x" } });
  const world = await threeRuleWorld({ pods: 2 });
  await world.close();
  try {
    // Same world, but the client signs with a SecretId the emulator does not know.
    const { reconcile } = await import("../../src/clb/reconcile.ts");
    emulator.state.addLoadBalancer("lb-abc");
    const client = await sdkClient(emulator);
    const result = await reconcile(world.rules, { kube: world.cluster.kube(), clb: client });
    assertEquals(result.exitCode, 2);
    assertMatch(result.authFailure!, /AuthFailure.SecretIdNotFound/);
    assertEquals(emulator.calls.length, 1, "no retries, no other calls");
  } finally {
    await emulator.close();
  }
});

Deno.test("an unreachable CLB API is retried until the deadline, then the rules are skipped (exit 2)", async () => {
  const world = await threeRuleWorld({ pods: 1, client: { retryDeadlineMs: 150 } });
  await world.emulator.close(); // nobody listens there now
  const result = await world.sync();
  assertEquals(result.exitCode, 2);
  assert(result.rules.every((r) => r.status === "skipped"));
  assertMatch(
    result.rules[0]!.reason!,
    /cannot read load balancers: DescribeLoadBalancers failed: ClientError.Network/,
  );
  assert(world.logs.filter((l) => l.msg === "clb_retry").length >= 1);
});

Deno.test("writes on one load balancer never overlap: each waits for the previous task", async () => {
  const emulator = new ClbEmulator({ taskMs: 60 });
  const lb = emulator.state.addLoadBalancer("lb-abc").id;
  const listener = emulator.state.addListener(lb, "TCP", 9000);
  try {
    const client = await sdkClient(emulator);
    const register = (ip: string) =>
      client.write("RegisterTargets", lb, {
        ListenerId: listener.listenerId,
        Targets: [{ EniIp: ip, Port: 9000, Weight: 10, Tag: "podgate" }],
      });
    await Promise.all([register("10.0.0.1"), register("10.0.0.2"), register("10.0.0.3")]);
    assertEquals(emulator.calls.filter((c) => c.code !== "ok"), [], "never ResourceInOperating");
    assertEquals(emulator.targets(lb, listener.listenerId).length, 3);
  } finally {
    await emulator.close();
  }
});

Deno.test("the client keeps every action at 20 requests/s or fewer", async () => {
  const emulator = new ClbEmulator({ rateLimit: 20 });
  emulator.state.addLoadBalancer("lb-abc");
  try {
    const client = await sdkClient(emulator, { rateLimit: 20 });
    await Promise.all(Array.from({ length: 30 }, () => client.describeListeners("lb-abc")));
    assertEquals(emulator.calls.filter((c) => c.code !== "ok"), [], "the API's limit never fired");
    const times = emulator.calls.map((c) => c.at).sort((a, b) => a - b);
    for (let i = 20; i < times.length; i++) {
      assert(
        times[i]! - times[i - 20]! >= 950,
        `call ${i} came ${times[i]! - times[i - 20]!} ms after call ${i - 20}`,
      );
    }
  } finally {
    await emulator.close();
  }
});
