// The pass's last step: for every pod that asks for the readiness gate, its verdict from the
// rules its Deployment feeds (as read back after the writes), and a patch where it changed.
import type { KubePatchApi } from "../kube/patch.ts";
import type { Logger } from "../log.ts";
import { gateChanged, gateVerdict, type RuleView } from "./gate.ts";
import { applyGates, type GateChange } from "./gate_apply.ts";
import type { ViewWork } from "./gate_views.ts";
import type { GateSummary } from "./summary.ts";

export interface GateStepOptions {
  pods: KubePatchApi | undefined;
  gateType: string;
  dryRun: boolean;
  logger: Logger;
  now: () => number;
}

const viewOf = (w: ViewWork): RuleView =>
  w.view ?? { rule: w.rule, readable: false, reason: w.outcome.reason ?? "not read this pass" };

/** Undefined when no pod asks for the gate. */
export async function gateStep(
  work: readonly ViewWork[],
  { pods, gateType, dryRun, logger, now }: GateStepOptions,
): Promise<GateSummary | undefined> {
  const byDeployment = Map.groupBy(
    work.filter((w) => w.podSet?.gated.length),
    (w) => w.podSet!.deployment,
  );
  if (!byDeployment.size) return undefined;
  const changes: GateChange[] = [];
  const after = new Map<string, { status: string | undefined; eligible: boolean }>();
  for (const group of byDeployment.values()) {
    const views = group.map(viewOf);
    for (const pod of group[0]!.podSet!.gated) {
      const verdict = gateVerdict(pod, views);
      const changed = gateChanged(pod, verdict);
      if (changed) changes.push({ pod, verdict: verdict! });
      after.set(`${pod.namespace}/${pod.name}`, {
        status: changed ? verdict!.status : pod.condition?.status,
        eligible: pod.eligible,
      });
    }
  }
  const result = await applyGates(pods, changes, { gateType, dryRun, logger, now });
  for (const name of result.failedPods) {
    const entry = after.get(name);
    if (entry) entry.status = undefined;
  }
  const states = [...after.values()];
  return {
    pods: states.length,
    ready: states.filter((s) => s.status === "True").length,
    patched: result.patched,
    failed: result.failed,
    waiting: states.filter((s) => s.eligible && s.status !== "True").length,
  };
}
