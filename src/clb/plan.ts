// The plan for one rule, a pure diff of desired against actual, matched by IP and port. Only
// targets podgate owns (ENI targets carrying its tag) are ever changed; CVM targets and other
// ENI targets are foreign and stay, unless --adopt takes over untagged ENI targets.
import { type ActualTarget, type DesiredTarget, targetKey, type TargetRef } from "./types.ts";

export interface PlanOptions {
  /** The Tag podgate sets on every target it registers, and recognises as its own. */
  tag: string;
  /** Treat untagged ENI targets as podgate's (migrating from the original tool). */
  adopt: boolean;
}

export interface RulePlan {
  /** Ready pods that have no target yet. */
  readonly register: readonly TargetRef[];
  /** Owned targets whose pod is gone or no longer serving. */
  readonly deregister: readonly ActualTarget[];
  /** Owned targets whose weight must change (a draining pod's goes to 0). */
  readonly reweight: readonly TargetRef[];
  /** Untagged ENI targets that stay and get podgate's tag (--adopt). */
  readonly adopt: readonly TargetRef[];
  readonly unchanged: number;
  /** Targets podgate leaves alone: CVMs, other tags, untagged ENIs without --adopt. */
  readonly foreign: number;
  /** Pods whose IP:port is already bound by a foreign target (they cannot be registered). */
  readonly blocked: readonly string[];
  /** Targets podgate managed on this rule before the plan (owned and adopted). */
  readonly managedBefore: number;
}

export function isOwned(target: ActualTarget, tag: string): boolean {
  return target.type === "ENI" && target.tag === tag;
}

function isAdoptable(target: ActualTarget, options: PlanOptions): boolean {
  return options.adopt && target.type === "ENI" && target.tag === "";
}

/** Diffs one rule (pure). */
export function planRule(
  desired: readonly DesiredTarget[],
  actual: readonly ActualTarget[],
  options: PlanOptions,
): RulePlan {
  const want = new Map(desired.map((d) => [targetKey(d.ip, d.port), d]));
  const seen = new Set<string>();
  const register: TargetRef[] = [];
  const deregister: ActualTarget[] = [];
  const reweight: TargetRef[] = [];
  const adopt: TargetRef[] = [];
  const blocked: string[] = [];
  let unchanged = 0;
  let foreign = 0;
  let managedBefore = 0;

  for (const target of actual) {
    const key = targetKey(target.ip, target.port);
    const d = want.get(key);
    const owned = isOwned(target, options.tag);
    const adoptable = !owned && isAdoptable(target, options);
    if (!owned && !adoptable) {
      foreign++;
      if (d && !d.draining && !seen.has(key)) blocked.push(key);
      if (d) seen.add(key);
      continue;
    }
    managedBefore++;
    if (!d || seen.has(key)) {
      deregister.push(target);
      continue;
    }
    seen.add(key);
    if (adoptable) adopt.push({ ip: target.ip, port: target.port, weight: d.weight });
    if (target.weight !== d.weight) reweight.push({ ip: d.ip, port: d.port, weight: d.weight });
    else unchanged++;
  }
  for (const [key, d] of want) {
    // A draining pod that has no target any more stays without one.
    if (!seen.has(key) && !d.draining) register.push({ ip: d.ip, port: d.port, weight: d.weight });
  }
  const byKey = (a: TargetRef, b: TargetRef) =>
    targetKey(a.ip, a.port).localeCompare(targetKey(b.ip, b.port), "en", { numeric: true });
  return {
    register: register.sort(byKey),
    deregister: deregister.sort(byKey),
    reweight: reweight.sort(byKey),
    adopt: adopt.sort(byKey),
    unchanged,
    foreign,
    blocked: blocked.sort(),
    managedBefore,
  };
}

/** Whether applying the plan would change anything on the CLB. */
export function hasChanges(plan: RulePlan): boolean {
  return plan.register.length + plan.deregister.length + plan.reweight.length +
      plan.adopt.length > 0;
}

/**
 * The deletion guard: why this plan's deregistrations must not run without --force, if they
 * must not. It refuses to leave the rule with no target podgate manages, and to lose more than
 * `maxShare` of them on balance (targets replaced one for one, as in a rolling update, count as
 * kept).
 */
export function guardRefusal(plan: RulePlan, maxShare: number): string | undefined {
  const removals = plan.deregister.length;
  if (removals === 0) return undefined;
  const before = plan.managedBefore;
  const after = before - removals + plan.register.length;
  if (after <= 0) {
    return `it would deregister all ${removals} of the rule's targets`;
  }
  const lost = removals - plan.register.length;
  if (lost > maxShare * before) {
    return `it would deregister ${removals} of ${before} targets (${lost} net, more than ${
      Math.round(maxShare * 100)
    }%)`;
  }
  return undefined;
}
