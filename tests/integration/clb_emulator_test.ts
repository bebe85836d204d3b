// The CLB emulator keeps the SDK honest: it checks TC3-HMAC-SHA256 signatures as the API does,
// runs writes as async tasks, and throttles. These tests pin that down with the real SDK and
// with hand-signed requests.
import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { ClbApiError } from "../../src/clb/api.ts";
import { createSdkTransport } from "../../src/clb/sdk_transport.ts";
import { ClbEmulator, TEST_SECRET_ID, TEST_SECRET_KEY } from "../support/clb_emulator.ts";
import { sdkClient } from "../support/clb_harness.ts";
import { signTc3 } from "../support/tc3.ts";

async function rawCall(
  emulator: ClbEmulator,
  action: string,
  body: unknown,
  { secretKey = TEST_SECRET_KEY, skewSeconds = 0, hostWithPort = false, extraSigned = false } = {},
) {
  const text = JSON.stringify(body);
  const timestamp = Math.floor(Date.now() / 1000) + skewSeconds;
  const host = hostWithPort ? `127.0.0.1:${emulator.port}` : "127.0.0.1";
  const signed: Record<string, string> = { "content-type": "application/json", host };
  if (extraSigned) signed["x-tc-action"] = action.toLowerCase();
  const authorization = signTc3({
    secretId: TEST_SECRET_ID,
    secretKey,
    service: "clb",
    timestamp,
    headers: signed,
    body: text,
  });
  const res = await fetch(emulator.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization,
      "x-tc-action": action,
      "x-tc-version": "2018-03-17",
      "x-tc-timestamp": String(timestamp),
      "x-tc-region": "ap-beijing",
    },
    body: text,
  });
  assertEquals(res.status, 200, "the API answers errors with HTTP 200 too");
  return (await res.json()).Response;
}

Deno.test("emulator accepts the SDK's real signature (service 127 from an IP endpoint, Host without port)", async () => {
  const emulator = new ClbEmulator();
  emulator.state.addLoadBalancer("lb-abc");
  try {
    const client = await sdkClient(emulator);
    const lbs = await client.describeLoadBalancers(["lb-abc", "lb-missing"]);
    assertEquals(lbs.map((lb) => lb.LoadBalancerId), ["lb-abc"]);
    assertEquals(emulator.calls.map((c) => [c.action, c.code]), [["DescribeLoadBalancers", "ok"]]);
  } finally {
    await emulator.close();
  }
});

Deno.test("emulator rejects a wrong SecretKey with AuthFailure.SignatureFailure, through the SDK", async () => {
  const emulator = new ClbEmulator();
  try {
    const client = await sdkClient(emulator, {}, "not-the-key");
    const error = await assertRejects(() => client.describeListeners("lb-abc"), ClbApiError);
    assertEquals(error.code, "AuthFailure.SignatureFailure");
    assertMatch(error.message, /RequestId [0-9a-f-]{36}/);
    assertEquals(emulator.calls.length, 1, "an auth failure is not retried");
  } finally {
    await emulator.close();
  }
});

Deno.test("emulator checks hand-signed requests: Host with or without port, any SignedHeaders, clock skew", async () => {
  const emulator = new ClbEmulator();
  emulator.state.addLoadBalancer("lb-abc");
  try {
    const body = { LoadBalancerIds: ["lb-abc"] };
    const ok = await rawCall(emulator, "DescribeLoadBalancers", body, { hostWithPort: true });
    assertEquals(ok.TotalCount, 1);
    const extra = await rawCall(emulator, "DescribeLoadBalancers", body, { extraSigned: true });
    assertEquals(extra.TotalCount, 1, "a third signed header (x-tc-action) is honoured");
    const wrong = await rawCall(emulator, "DescribeLoadBalancers", body, { secretKey: "nope" });
    assertEquals(wrong.Error.Code, "AuthFailure.SignatureFailure");
    assert(typeof wrong.RequestId === "string" && wrong.RequestId.length > 0);
    const old = await rawCall(emulator, "DescribeLoadBalancers", body, { skewSeconds: -301 });
    assertEquals(old.Error.Code, "AuthFailure.SignatureExpire");
    const future = await rawCall(emulator, "DescribeLoadBalancers", body, { skewSeconds: 400 });
    assertEquals(future.Error.Code, "AuthFailure.SignatureExpire");
    const edge = await rawCall(emulator, "DescribeLoadBalancers", body, { skewSeconds: -290 });
    assertEquals(edge.TotalCount, 1, "within 300 s is fine");
  } finally {
    await emulator.close();
  }
});

Deno.test("emulator answers a stale SDK clock with AuthFailure.SignatureExpire", async () => {
  const emulator = new ClbEmulator({ clockOffsetMs: 10 * 60_000 });
  try {
    const transport = await createSdkTransport({
      secretId: TEST_SECRET_ID,
      secretKey: TEST_SECRET_KEY,
      region: "ap-beijing",
      endpoint: emulator.url,
    });
    const error = await assertRejects(
      () => transport.request("DescribeLoadBalancers", {}, { signal: AbortSignal.timeout(2000) }),
      ClbApiError,
    );
    assertEquals(error.code, "AuthFailure.SignatureExpire");
  } finally {
    await emulator.close();
  }
});

Deno.test("emulator runs writes as tasks and answers ResourceInOperating meanwhile", async () => {
  const emulator = new ClbEmulator({ taskMs: 200 });
  const listener = emulator.state.addListener(
    emulator.state.addLoadBalancer("lb-abc").id,
    "TCP",
    9000,
  );
  try {
    const register = (ip: string) =>
      rawCall(emulator, "RegisterTargets", {
        LoadBalancerId: "lb-abc",
        ListenerId: listener.listenerId,
        Targets: [{ EniIp: ip, Port: 9000, Weight: 10, Tag: "podgate" }],
      });
    const first = await register("10.0.0.1");
    assertEquals(first.Error, undefined);
    const status = await rawCall(emulator, "DescribeTaskStatus", { TaskId: first.RequestId });
    assertEquals(status.Status, 2, "running");
    assertEquals(
      emulator.targets("lb-abc", listener.listenerId),
      [],
      "applied only when the task ends",
    );
    const second = await register("10.0.0.2");
    assertEquals(second.Error.Code, "FailedOperation.ResourceInOperating");
    await new Promise((r) => setTimeout(r, 250));
    assertEquals(
      (await rawCall(emulator, "DescribeTaskStatus", { TaskId: first.RequestId })).Status,
      0,
    );
    assertEquals(emulator.targets("lb-abc", listener.listenerId), ["10.0.0.1:9000 w10 podgate"]);
    const again = await register("10.0.0.1");
    assertEquals(again.Error.Code, "InvalidParameter", "the same target twice is refused");
  } finally {
    await emulator.close();
  }
});

Deno.test("emulator enforces the documented limits: 20 per RegisterTargets, 20 requests/s per action", async () => {
  const emulator = new ClbEmulator({ rateLimit: 20 });
  const listener = emulator.state.addListener(
    emulator.state.addLoadBalancer("lb-abc").id,
    "TCP",
    9000,
  );
  try {
    const targets = Array.from(
      { length: 21 },
      (_, i) => ({ EniIp: `10.0.0.${i + 1}`, Port: 9000 }),
    );
    const big = await rawCall(emulator, "RegisterTargets", {
      LoadBalancerId: "lb-abc",
      ListenerId: listener.listenerId,
      Targets: targets,
    });
    assertEquals(big.Error.Code, "InvalidParameterValue.Length");
    const answers = await Promise.all(
      Array.from(
        { length: 25 },
        () => rawCall(emulator, "DescribeListeners", { LoadBalancerId: "lb-abc" }),
      ),
    );
    const limited = answers.filter((a) => a.Error?.Code === "RequestLimitExceeded").length;
    assertEquals(limited, 5);
  } finally {
    await emulator.close();
  }
});

Deno.test("emulator serves the documented shapes of DescribeListeners and DescribeTargets", async () => {
  const emulator = new ClbEmulator();
  const lb = emulator.state.addLoadBalancer("lb-abc").id;
  const http = emulator.state.addListener(lb, "HTTP", 80);
  const rule = emulator.state.addRule(http, "example.com", "/api");
  const tcp = emulator.state.addListener(lb, "TCP", 9000);
  emulator.addTarget(lb, http.listenerId, rule.locationId, {
    ip: "10.0.0.1",
    port: 8080,
    tag: "podgate",
  });
  emulator.addTarget(lb, tcp.listenerId, undefined, {
    ip: "10.0.1.1",
    port: 9000,
    type: "CVM",
    instanceId: "ins-1",
  });
  try {
    const listeners =
      (await rawCall(emulator, "DescribeListeners", { LoadBalancerId: lb })).Listeners;
    assertEquals(listeners[0].Rules[0].LocationId, rule.locationId);
    assertEquals(listeners[0].Rules[0].TargetType, "NODE");
    assertEquals(listeners[1].Rules, null, "L4 listeners have no rules");
    const bound = (await rawCall(emulator, "DescribeTargets", { LoadBalancerId: lb })).Listeners;
    assertEquals(bound[0].Rules[0].Targets[0].PrivateIpAddresses, ["10.0.0.1"]);
    assertEquals(bound[0].Rules[0].Targets[0].Type, "ENI");
    assertEquals(bound[0].Targets, null);
    assertEquals(bound[1].Targets[0].Type, "CVM");
    assertEquals(bound[1].Targets[0].InstanceId, "ins-1");
  } finally {
    await emulator.close();
  }
});
