import { assert, assertEquals, assertRejects } from "@std/assert";
import { ClbApiError, ClbTaskError, type ClbTransport } from "./api.ts";
import { createClbClient } from "./clb_client.ts";

type Handler = (action: string, params: Record<string, unknown>, signal: AbortSignal) => unknown;

function transport(handler: Handler): ClbTransport & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    request(action, params, { signal }) {
      sent.push(action);
      try {
        return Promise.resolve(handler(action, params, signal));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

const fast = { retryBaseMs: 1, retryMaxMs: 2, taskPollMs: 1, sleep: () => Promise.resolve() };

Deno.test("createClbClient() gives every call its own timeout signal", async () => {
  const signals: AbortSignal[] = [];
  const t = transport((_a, _p, signal) => {
    signals.push(signal);
    return { Listeners: [], RequestId: "r" };
  });
  const client = createClbClient(t, { ...fast, timeoutMs: 1234 });
  await client.describeListeners("lb-1");
  await client.describeListeners("lb-1");
  assertEquals(signals.length, 2);
  assert(signals[0] !== signals[1]);
  assertEquals(client.calls, { DescribeListeners: 2 });
});

Deno.test("createClbClient() retries throttling, then parses the answer", async () => {
  let n = 0;
  const t = transport((action) => {
    if (n++ < 2) throw new ClbApiError(action, "RequestLimitExceeded", "slow down");
    return { Listeners: [{ ListenerId: "lbl-1", Protocol: "TCP", Port: 1 }], RequestId: "r" };
  });
  const listeners = await createClbClient(t, fast).describeListeners("lb-1");
  assertEquals(listeners.map((l) => l.ListenerId), ["lbl-1"]);
  assertEquals(t.sent.length, 3);
});

Deno.test("createClbClient() refuses an answer of the wrong shape, without retrying", async () => {
  const t = transport(() => ({ Listeners: "nope", RequestId: "r-9" }));
  const error = await assertRejects(
    () => createClbClient(t, fast).describeListeners("lb-1"),
    ClbApiError,
  );
  assertEquals([error.code, error.requestId], ["ClientError.BadResponse", "r-9"]);
  assertEquals(t.sent.length, 1);
});

Deno.test("createClbClient().write() waits for the task and reports a failed one", async () => {
  const statuses = [2, 2, 0, 2, 1];
  const t = transport((action) =>
    action === "DescribeTaskStatus"
      ? { Status: statuses.shift(), Message: "ENI not found", RequestId: "s" }
      : { RequestId: `task-${action}` }
  );
  const client = createClbClient(t, fast);
  const ok = await client.write("RegisterTargets", "lb-1", { ListenerId: "lbl-1", Targets: [] });
  assertEquals(ok.requestId, "task-RegisterTargets");
  assertEquals(t.sent, [
    "RegisterTargets",
    "DescribeTaskStatus",
    "DescribeTaskStatus",
    "DescribeTaskStatus",
  ]);
  const error = await assertRejects(
    () => client.write("DeregisterTargets", "lb-1", {}),
    ClbTaskError,
  );
  assertEquals(
    error.message,
    "DeregisterTargets task task-DeregisterTargets failed: ENI not found",
  );
});

Deno.test("createClbClient().write() gives up on a task that never ends", async () => {
  let now = 0;
  const t = transport((action) =>
    action === "DescribeTaskStatus" ? { Status: 2, RequestId: "s" } : { RequestId: "t" }
  );
  const client = createClbClient(t, {
    ...fast,
    taskTimeoutMs: 50,
    now: () => now,
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
    taskPollMs: 10,
  });
  const error = await assertRejects(
    () => client.write("RegisterTargets", "lb-1", {}),
    ClbTaskError,
  );
  assertEquals(error.message, "RegisterTargets task t still running after 50 ms");
});
