// The readiness gate's verdict for one pod (pure): True once its IP is a target of every rule
// fed by its Deployment, with the weight the rule gives (> 0) and — where the rule's health check
// result is readable — healthy; False, naming the rule, when a rule positively lacks it; no
// verdict (the condition stays as it is) when a rule could not be read. Health is asked only on
// the way to True: a pod already True goes False only if a rule loses its target.
import type { GatedPod } from "./desired.ts";
import { type ActualTarget, type RuleSpec, targetKey } from "./types.ts";

export type GateReason =
  | "TargetRegistered"
  | "TargetNotRegistered"
  | "TargetWeightZero"
  | "TargetNotHealthy"
  | "RuleNotReadable";

export interface GateVerdict {
  readonly status: "True" | "False";
  readonly reason: GateReason;
  readonly message: string;
}

/**
 * Each target's health check result on a rule (`Alive`, `Dead`, `Unknown`, `Close`), or why
 * there is none: `unreadable` (the API does not report it: go by registration alone) or
 * `unavailable` (it failed this pass: no verdict of True).
 */
export type RuleHealth = ReadonlyMap<string, string> | "unreadable" | "unavailable";

/** What the CLB holds on one rule after this pass's writes, or why it could not be read. */
export type RuleView =
  | {
    readonly rule: RuleSpec;
    readonly readable: true;
    readonly targets: ReadonlyMap<string, ActualTarget>;
    readonly health: RuleHealth;
  }
  | { readonly rule: RuleSpec; readonly readable: false; readonly reason: string };

/** Health check results that let traffic through: healthy, or no health check at all. */
const PASSING = new Set(["Alive", "Close"]);

/** Whether a rule's health check result is still needed for this pod to turn True. */
export function needsHealth(pod: GatedPod, view: RuleView): boolean {
  if (!view.readable || pod.condition?.status === "True") return false;
  const target = view.targets.get(targetKey(pod.ip, view.rule.backend.port));
  return !!target && target.weight > 0;
}

/** The condition the pod should carry, or undefined to leave it as it is (pure). */
export function gateVerdict(pod: GatedPod, views: readonly RuleView[]): GateVerdict | undefined {
  if (!views.length) return undefined;
  const wasTrue = pod.condition?.status === "True";
  const problems: Array<{ reason: GateReason; message: string }> = [];
  let unknown: string | undefined;
  for (const view of views) {
    const name = view.rule.key;
    if (!view.readable) {
      unknown ??= `cannot read ${name}: ${view.reason}`;
      continue;
    }
    const key = targetKey(pod.ip, view.rule.backend.port);
    const target = view.targets.get(key);
    if (!target) {
      problems.push({
        reason: "TargetNotRegistered",
        message: `${key} is not a target of ${name}`,
      });
    } else if (target.weight === 0 && view.rule.backend.weight > 0) {
      problems.push({
        reason: "TargetWeightZero",
        message: `${key} is a target of ${name} at weight 0`,
      });
    } else if (!wasTrue && view.health === "unavailable") {
      unknown ??= `cannot read the health check of ${name}`;
    } else if (!wasTrue && typeof view.health !== "string") {
      const detail = view.health.get(key);
      if (!detail || !PASSING.has(detail)) {
        problems.push({
          reason: "TargetNotHealthy",
          message: `${key} is a target of ${name}; its health check ${
            detail ? `says ${detail}` : "has no result yet"
          }`,
        });
      }
    }
  }
  const first = problems[0];
  if (first) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more rule(s))` : "";
    return { status: "False", reason: first.reason, message: first.message + more };
  }
  if (unknown !== undefined) {
    // Never True on a guess; a first False says why it waits, an existing condition stays.
    return pod.condition
      ? undefined
      : { status: "False", reason: "RuleNotReadable", message: unknown };
  }
  return {
    status: "True",
    reason: "TargetRegistered",
    message: `a target with weight > 0 of ${views.map((v) => v.rule.key).join(", ")}`,
  };
}

/** Whether the verdict differs from what the pod carries. */
export function gateChanged(pod: GatedPod, verdict: GateVerdict | undefined): boolean {
  if (!verdict) return false;
  const c = pod.condition;
  return c?.status !== verdict.status || (c.reason ?? "") !== verdict.reason ||
    (c.message ?? "") !== verdict.message;
}
