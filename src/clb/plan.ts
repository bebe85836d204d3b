// The plan for one rule, a pure diff of desired against actual, matched by IP and port. Only
// targets podgate owns (ENI targets carrying its tag) are ever changed; CVM targets and other
// ENI targets are foreign and stay, unless --adopt takes over untagged ENI targets. A target
// leaves through weight 0: it is drained first (weight 0, and its Tag records since when), and
// removed only once its pod is gone and the rule's drainSeconds have passed.
import { drainSince, isOwnTag } from "./drain_marker.ts";
import { type ActualTarget, type DesiredTarget, targetKey, type TargetRef } from "./types.ts";

export interface PlanOptions {
  /** The Tag podgate sets on every target it registers, and recognises as its own. */
  tag: string;
  /** Treat untagged ENI targets as podgate's (migrating from the original tool). */
  adopt: boolean;
  /** When the pass runs (ms since the epoch): drains are timed against it. */
  now?: number;
  /** How long a leaving target sits at weight 0 before removal; 0 removes a gone pod's at once. */
  drainMs?: number;
  /** False when the deletion guard refused: no serving target is taken out of service. */
  allowLeave?: boolean;
}

/** A Tag write: back to the plain tag (adopted, or drained no more), or marked draining. */
export interface TagChange {
  readonly ip: string;
  readonly port: number;
  /** `drain` is stamped with the time of the write, after the weight went to 0. */
  readonly tag: "plain" | "drain";
}

export interface RulePlan {
  /** Ready pods that have no target yet. */
  readonly register: readonly TargetRef[];
  /** Owned targets drained long enough whose pod is gone (or duplicates). */
  readonly deregister: readonly ActualTarget[];
  /** Owned targets whose weight must change (a leaving one's goes to 0). */
  readonly reweight: readonly TargetRef[];
  /** Tag writes: adoptions, drain marks, drains undone. */
  readonly retag: readonly TagChange[];
  /** Untagged ENI targets that stay and get podgate's tag (--adopt). */
  readonly adopt: readonly TargetRef[];
  /** Serving targets this plan takes out of service (to weight 0). */
  readonly drain: readonly TargetRef[];
  /** Targets drained earlier and waiting: their pod still terminating, or drainSeconds not over. */
  readonly waiting: number;
  /** The earliest time (ms) a waiting drain may be removed, if one waits for the clock only. */
  readonly nextRemovalAt: number | undefined;
  /** Serving targets the deletion guard held in service (allowLeave false). */
  readonly held: number;
  readonly unchanged: number;
  /** Targets podgate leaves alone: CVMs, other tags, untagged ENIs without --adopt. */
  readonly foreign: number;
  /** Pods whose IP:port is already bound by a foreign target (they cannot be registered). */
  readonly blocked: readonly string[];
  /** Targets podgate managed on this rule before the plan (owned and adopted). */
  readonly managedBefore: number;
  /** Of those, the ones carrying traffic (weight > 0). */
  readonly servingBefore: number;
  /** Serving targets the plan takes out of service (drained or removed). */
  readonly leaving: number;
}

export function isOwned(target: ActualTarget, tag: string): boolean {
  return target.type === "ENI" && isOwnTag(target.tag, tag);
}

function isAdoptable(target: ActualTarget, options: PlanOptions): boolean {
  return options.adopt && target.type === "ENI" && target.tag === "";
}

/** A drain stamped this far ahead of the pass's clock came from a wrong clock: restart it. */
const FUTURE_SLACK_MS = 3_600_000;

/** Diffs one rule (pure). */
export function planRule(
  desired: readonly DesiredTarget[],
  actual: readonly ActualTarget[],
  options: PlanOptions,
): RulePlan {
  const { tag, now = 0, drainMs = 0, allowLeave = true } = options;
  const want = new Map(desired.map((d) => [targetKey(d.ip, d.port), d]));
  const seen = new Set<string>();
  const register: TargetRef[] = [];
  const deregister: ActualTarget[] = [];
  const reweight: TargetRef[] = [];
  const retag: TagChange[] = [];
  const adopt: TargetRef[] = [];
  const drain: TargetRef[] = [];
  const blocked: string[] = [];
  let unchanged = 0, foreign = 0, managedBefore = 0, servingBefore = 0, leaving = 0;
  let waiting = 0, held = 0;
  let nextRemovalAt: number | undefined;
  const ref = (t: ActualTarget, weight: number) => ({ ip: t.ip, port: t.port, weight });

  for (const target of actual) {
    const key = targetKey(target.ip, target.port);
    const d = want.get(key);
    const owned = isOwned(target, tag);
    const adoptable = !owned && isAdoptable(target, options);
    if (!owned && !adoptable) {
      foreign++;
      if (d && !d.draining && !seen.has(key)) blocked.push(key);
      if (d) seen.add(key);
      continue;
    }
    managedBefore++;
    const serving = target.weight > 0;
    if (serving) servingBefore++;
    if (seen.has(key)) {
      // The same address twice: the CLB should never allow it; keep the first.
      deregister.push(target);
      if (serving) leaving++;
      continue;
    }
    seen.add(key);
    const since = owned ? drainSince(target.tag, tag) : undefined;

    if (d && !d.draining) {
      let changed = false;
      if (adoptable) adopt.push(ref(target, d.weight));
      if (adoptable || since !== undefined) {
        retag.push({ ip: target.ip, port: target.port, tag: "plain" });
        changed = true;
      }
      if (target.weight !== d.weight) {
        reweight.push(ref(target, d.weight));
        changed = true;
      }
      if (!changed) unchanged++;
      continue;
    }

    // Leaving: no pod serves here any more (`d` set: its pod is terminating and still there).
    const podThere = d !== undefined;
    if (!serving && since !== undefined && since <= now + FUTURE_SLACK_MS) {
      const due = since + drainMs;
      if (!podThere && now >= due) deregister.push(target);
      else {
        waiting++;
        if (!podThere) nextRemovalAt = Math.min(nextRemovalAt ?? due, due);
      }
      continue;
    }
    if (serving && !allowLeave) {
      held++;
      continue;
    }
    if (serving) leaving++;
    if (!podThere && drainMs === 0) {
      deregister.push(target);
      continue;
    }
    if (serving) {
      reweight.push(ref(target, 0));
      drain.push(ref(target, 0));
    }
    retag.push({ ip: target.ip, port: target.port, tag: "drain" });
    if (!podThere) nextRemovalAt = Math.min(nextRemovalAt ?? now + drainMs, now + drainMs);
  }
  for (const [key, d] of want) {
    // A draining pod that has no target any more stays without one.
    if (!seen.has(key) && !d.draining) register.push({ ip: d.ip, port: d.port, weight: d.weight });
  }
  const byKey = (a: { ip: string; port: number }, b: { ip: string; port: number }) =>
    targetKey(a.ip, a.port).localeCompare(targetKey(b.ip, b.port), "en", { numeric: true });
  return {
    register: register.sort(byKey),
    deregister: deregister.sort(byKey),
    reweight: reweight.sort(byKey),
    retag: retag.sort(byKey),
    adopt: adopt.sort(byKey),
    drain: drain.sort(byKey),
    waiting,
    nextRemovalAt,
    held,
    unchanged,
    foreign,
    blocked: blocked.sort(),
    managedBefore,
    servingBefore,
    leaving,
  };
}

/** Whether applying the plan would change anything on the CLB. */
export function hasChanges(plan: RulePlan): boolean {
  return plan.register.length + plan.deregister.length + plan.reweight.length +
      plan.retag.length > 0;
}

/**
 * The deletion guard: why this plan must not take targets out of service without --force, if
 * it must not. It refuses to leave the rule with no serving target podgate manages, and to take
 * more than `maxShare` of them out on balance (targets replaced one for one, as in a rolling
 * update, count as kept). Removing targets already drained to weight 0 takes nothing out.
 */
export function guardRefusal(plan: RulePlan, maxShare: number): string | undefined {
  const out = plan.leaving;
  if (out === 0) return undefined;
  const before = plan.servingBefore;
  const after = before - out + plan.register.length;
  if (after <= 0) {
    return `it would take all ${out} of the rule's serving targets out of service`;
  }
  const lost = out - plan.register.length;
  if (lost > maxShare * before) {
    return `it would take ${out} of ${before} serving targets out of service (${lost} net, more than ${
      Math.round(maxShare * 100)
    }%)`;
  }
  return undefined;
}
