// The readiness gate's write: one strategic-merge patch of pods/status per pod whose condition
// changes, carrying only that condition (merged by type, the other conditions untouched) and the
// pod's UID as a precondition (a pod replaced under the same name is left alone). Each change is
// logged before it is written; a dry run logs and writes nothing.
import { KubeApiError } from "../kube/api.ts";
import type { KubePatchApi } from "../kube/patch.ts";
import { type Logger, silentLogger } from "../log.ts";
import type { GatedPod } from "./desired.ts";
import type { GateVerdict } from "./gate.ts";

export interface GateChange {
  readonly pod: GatedPod;
  readonly verdict: GateVerdict;
}

export interface GateResult {
  /** Conditions written (or, in a dry run, that would be). */
  patched: number;
  /** Patches that failed (the pod was not gone): the pass exits 1. */
  failed: number;
  errors: string[];
  /** `namespace/name` of the pods whose patch failed. */
  failedPods: string[];
}

export interface GateApplyOptions {
  gateType: string;
  dryRun?: boolean;
  logger?: Logger;
  now?: () => number;
  /** Patches in flight at once. */
  concurrency?: number;
}

/** Kubernetes times are RFC 3339 with whole seconds. */
const kubeTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

/** The patch body: the one condition, merged by type, with the pod's UID as a precondition. */
export function conditionPatch(change: GateChange, gateType: string, now: number): unknown {
  const { pod, verdict } = change;
  const kept = pod.condition?.status === verdict.status && pod.condition.lastTransitionTime;
  return {
    metadata: { uid: pod.uid },
    status: {
      conditions: [{
        type: gateType,
        status: verdict.status,
        reason: verdict.reason,
        message: verdict.message,
        lastProbeTime: null,
        lastTransitionTime: kept || kubeTime(now),
      }],
    },
  };
}

export async function applyGates(
  kube: KubePatchApi | undefined,
  changes: readonly GateChange[],
  { gateType, dryRun = false, logger = silentLogger, now = Date.now, concurrency = 4 }:
    GateApplyOptions,
): Promise<GateResult> {
  const result: GateResult = { patched: 0, failed: 0, errors: [], failedPods: [] };
  const one = async (change: GateChange) => {
    const { pod, verdict } = change;
    const name = `${pod.namespace}/${pod.name}`;
    logger.info("gate", {
      pod: name,
      condition: gateType,
      status: verdict.status,
      was: pod.condition?.status ?? null,
      reason: verdict.reason,
      message: verdict.message,
      dry_run: dryRun || undefined,
    });
    if (dryRun) {
      result.patched++;
      return;
    }
    if (!kube) {
      result.failed++;
      result.failedPods.push(name);
      result.errors.push(`${name}: no Kubernetes client to patch pods/status with`);
      return;
    }
    const path = `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${
      encodeURIComponent(pod.name)
    }/status`;
    try {
      await kube.patchJson(path, conditionPatch(change, gateType, now()), {
        contentType: "application/strategic-merge-patch+json",
      });
      result.patched++;
    } catch (error) {
      // Gone, or replaced under the same name: nothing left to gate.
      if (error instanceof KubeApiError && (error.status === 404 || error.status === 409)) {
        logger.debug("gate_pod_gone", { pod: name, status: error.status });
        return;
      }
      const message = (error as Error).message;
      result.failed++;
      result.failedPods.push(name);
      result.errors.push(`${name}: ${message}`);
      logger.error("gate_patch_failed", {
        pod: name,
        error: message,
        hint: error instanceof KubeApiError && error.status === 403
          ? "the ClusterRole needs patch on pods/status"
          : undefined,
      });
    }
  };
  const queue = [...changes];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await one(next);
    }),
  );
  return result;
}
