// What a pod's status says about serving: its conditions, its readiness gates, and the rule by
// which a pod gated on podgate's own condition may be registered before it is Ready (it cannot be
// Ready until it is registered: the gate would never open).
import type { Pod, PodCondition } from "./kube_objects.ts";

/** The condition of `type`, as the API server holds it. */
export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return (pod.status?.conditions ?? []).find((c) => c.type === type);
}

const isTrue = (pod: Pod, type: string) => podCondition(pod, type)?.status === "True";

/** The condition types the pod lists under spec.readinessGates. */
export function readinessGates(pod: Pod): string[] {
  return (pod.spec?.readinessGates ?? []).map((g) => g.conditionType);
}

export function isReady(pod: Pod): boolean {
  return isTrue(pod, "Ready");
}

/**
 * Whether the pod may carry traffic: Ready=True, or — when it lists `gateType` among its
 * readiness gates and every other gate is True — ContainersReady=True. AWS Load Balancer
 * Controller registers gated pods the same way.
 */
export function mayServe(pod: Pod, gateType: string): boolean {
  if (isReady(pod)) return true;
  const gates = readinessGates(pod);
  if (!gates.includes(gateType)) return false;
  return isTrue(pod, "ContainersReady") &&
    gates.every((type) => type === gateType || isTrue(pod, type));
}
