// The CLB emulator's writes: each target change is validated when the request arrives (limits,
// EniIp xor InstanceId, already bound / not bound, weight 0-100) and applied when its task ends.
import {
  ApiFault,
  type ClbState,
  describeRef,
  type EmTarget,
  findTarget,
  isL7,
} from "./clb_state.ts";

export const MAX_TARGETS = { single: 20, batch: 500 };

export interface WritePlan {
  /** Each change, run when the task ends (`at`: when). */
  apply: Array<(at: number) => void>;
  failed: string[];
  message: string;
}

/**
 * Validates a write against the state now and returns what it will do when its task finishes.
 * Batch register/deregister succeed per listener: `failing` listeners (injected) and listeners
 * with a bad target land in FailListenerIdSet; the rest still apply.
 */
export function validateWrite(
  state: ClbState,
  action: string,
  lbId: string,
  params: Record<string, unknown>,
  { failing = new Set<string>() }: { failing?: ReadonlySet<string> } = {},
): WritePlan {
  const apply: Array<(at: number) => void> = [];
  if (
    action === "RegisterTargets" || action === "DeregisterTargets" ||
    action === "ModifyTargetWeight"
  ) {
    const targets = list(params.Targets, "Targets", MAX_TARGETS.single);
    const place = state.place(lbId, params.ListenerId, params.LocationId);
    apply.push(...targets.map((t) => change(action, place, t, params)));
    return { apply, failed: [], message: "" };
  }
  if (action === "BatchModifyTargetWeight" || action === "BatchModifyTargetTag") {
    const rules = list(params.ModifyList, "ModifyList", MAX_TARGETS.batch);
    let total = 0;
    for (const rule of rules) {
      const targets = list(rule.Targets, "Targets", MAX_TARGETS.batch);
      total += targets.length;
      const place = state.place(lbId, rule.ListenerId, rule.LocationId);
      apply.push(...targets.map((t) => change(action, place, t, rule)));
    }
    if (total > MAX_TARGETS.batch) {
      throw new ApiFault(
        "InvalidParameterValue.Length",
        `at most ${MAX_TARGETS.batch} targets per call`,
      );
    }
    return { apply, failed: [], message: "" };
  }
  // BatchRegisterTargets / BatchDeregisterTargets: per-listener success, FailListenerIdSet.
  const targets = list(params.Targets, "Targets", MAX_TARGETS.batch);
  const byListener = new Map<string, Array<Record<string, unknown>>>();
  for (const t of targets) {
    const id = String(t.ListenerId);
    byListener.set(id, [...(byListener.get(id) ?? []), t]);
  }
  const failed: string[] = [];
  const reasons: string[] = [];
  for (const [listenerId, group] of byListener) {
    try {
      if (failing.has(listenerId)) {
        throw new ApiFault("FailedOperation", `listener ${listenerId}: injected failure`);
      }
      const changes = group.map((t) => {
        if (isL7(state.listener(lbId, listenerId).protocol) && !t.LocationId) {
          throw new ApiFault(
            "InvalidParameter",
            `LocationId is required on L7 listener ${listenerId}`,
          );
        }
        return change(action, state.place(lbId, listenerId, t.LocationId), t, t);
      });
      apply.push(...changes);
    } catch (error) {
      failed.push(listenerId);
      reasons.push((error as Error).message);
    }
  }
  return { apply, failed, message: reasons.join("; ") };
}

function list(value: unknown, name: string, max: number): Array<Record<string, unknown>> {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ApiFault("MissingParameter", `${name} is required`);
  }
  if (value.length > max) {
    throw new ApiFault("InvalidParameterValue.Length", `${name} takes at most ${max} items`);
  }
  return value;
}

/** One target's change, validated now, applied when the task ends. */
function change(
  action: string,
  place: EmTarget[],
  ref: Record<string, unknown>,
  rule: Record<string, unknown>,
): (at: number) => void {
  if (!Number.isInteger(ref.Port)) throw new ApiFault("InvalidParameter", "Port is required");
  if ((ref.EniIp === undefined) === (ref.InstanceId === undefined)) {
    throw new ApiFault("InvalidParameter", "exactly one of EniIp and InstanceId is required");
  }
  const existing = findTarget(place, ref);
  if (action.includes("Register") && !action.includes("Deregister")) {
    if (existing) {
      throw new ApiFault("InvalidParameter", `target ${describeRef(ref)} is already bound`);
    }
    if (ref.InstanceId !== undefined) {
      throw new ApiFault("InvalidParameter", "the emulator binds IPs (EniIp) only");
    }
    const weight = (ref.Weight ?? 10) as number;
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw new ApiFault("InvalidParameter", "Weight must be 0-100");
    }
    return (at) =>
      place.push({
        type: "ENI",
        ip: String(ref.EniIp),
        port: ref.Port as number,
        weight,
        tag: String(ref.Tag ?? ""),
        instanceId: "",
        registeredAt: at,
      });
  }
  if (!existing) {
    throw new ApiFault("InvalidParameter", `target ${describeRef(ref)} is not bound here`);
  }
  if (action.includes("Deregister")) {
    return () => {
      const index = place.indexOf(existing);
      if (index !== -1) place.splice(index, 1);
    };
  }
  if (action.includes("Tag")) {
    const tag = String(ref.Tag ?? rule.Tag ?? "");
    return () => void (existing.tag = tag);
  }
  const weight = (ref.Weight ?? rule.Weight) as number;
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
    throw new ApiFault("InvalidParameter", "Weight must be 0-100");
  }
  return () => void (existing.weight = weight);
}
