import { assertEquals } from "@std/assert";
import { KubeApiError } from "../kube/api.ts";
import type { KubePatchApi } from "../kube/patch.ts";
import { memoryLogger } from "../log.ts";
import type { GatedPod } from "./desired.ts";
import { applyGates, conditionPatch } from "./gate_apply.ts";

const GATE = "podgate.io/clb-registered";
const pod = (name: string, condition?: GatedPod["condition"]): GatedPod => ({
  namespace: "shop",
  name,
  uid: `uid-${name}`,
  ip: "10.1.0.1",
  eligible: true,
  condition,
});
const open = { status: "True", reason: "TargetRegistered", message: "a target" } as const;

Deno.test("conditionPatch() carries the one condition and the UID; the transition time moves only with the status", () => {
  const at = Date.UTC(2026, 10, 21, 20, 30, 0, 456);
  assertEquals(conditionPatch({ pod: pod("a"), verdict: open }, GATE, at), {
    metadata: { uid: "uid-a" },
    status: {
      conditions: [{
        type: GATE,
        status: "True",
        reason: "TargetRegistered",
        message: "a target",
        lastProbeTime: null,
        lastTransitionTime: "2026-11-21T20:30:00Z",
      }],
    },
  });
  const before = pod("b", {
    type: GATE,
    status: "True",
    lastTransitionTime: "2026-01-01T00:00:00Z",
  });
  const body = conditionPatch({ pod: before, verdict: { ...open, message: "new" } }, GATE, at) as {
    status: { conditions: Array<{ lastTransitionTime: string }> };
  };
  assertEquals(body.status.conditions[0]?.lastTransitionTime, "2026-01-01T00:00:00Z");
});

Deno.test("applyGates() patches pods/status with a strategic merge, skips gone pods, counts failures", async () => {
  const sent: Array<[string, string | undefined]> = [];
  const kube: KubePatchApi = {
    patchJson(path, _body, options) {
      sent.push([path, options?.contentType]);
      if (path.includes("/gone/")) {
        return Promise.reject(new KubeApiError(404, "NotFound", 'pods "gone" not found', path));
      }
      if (path.includes("/denied/")) {
        return Promise.reject(new KubeApiError(403, "Forbidden", "cannot patch pods/status", path));
      }
      return Promise.resolve({});
    },
  };
  const logger = memoryLogger();
  const changes = ["a", "gone", "denied"].map((name) => ({ pod: pod(name), verdict: open }));
  const result = await applyGates(kube, changes, { gateType: GATE, logger });
  assertEquals([result.patched, result.failed, result.failedPods], [1, 1, ["shop/denied"]]);
  assertEquals(sent.map(([path]) => path).sort(), [
    "/api/v1/namespaces/shop/pods/a/status",
    "/api/v1/namespaces/shop/pods/denied/status",
    "/api/v1/namespaces/shop/pods/gone/status",
  ]);
  assertEquals(
    new Set(sent.map(([, type]) => type)),
    new Set(["application/strategic-merge-patch+json"]),
  );
  const failed = logger.lines.find((l) => l.msg === "gate_patch_failed");
  assertEquals(failed?.hint, "the ClusterRole needs patch on pods/status");
  assertEquals(logger.lines.filter((l) => l.msg === "gate").length, 3, "each change logged first");
});

Deno.test("applyGates() in a dry run logs and writes nothing", async () => {
  const kube: KubePatchApi = { patchJson: () => Promise.reject(new Error("no writes")) };
  const logger = memoryLogger();
  const result = await applyGates(kube, [{ pod: pod("a"), verdict: open }], {
    gateType: GATE,
    dryRun: true,
    logger,
  });
  assertEquals([result.patched, result.failed], [1, 0]);
  assertEquals(logger.lines.find((l) => l.msg === "gate")?.dry_run, true);
});
