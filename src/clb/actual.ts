// Actual targets: DescribeListeners resolves a rule's protocol, port, domain and url to its
// ListenerId and LocationId; DescribeTargets lists what is bound there, each target known by
// PrivateIpAddresses[0] + Port.
import type { Backend, Listener, ListenerBackend } from "./clb_schemas.ts";
import { type ActualTarget, isL7, type Place, type RuleSpec } from "./types.ts";

export type Resolution = { ok: true; place: Place } | { ok: false; reason: string };

const boundToGroup = (targetType: string | null | undefined) =>
  (targetType ?? "").toUpperCase().startsWith("TARGETGROUP");

const groupRefusal = (what: string, targetType: string) =>
  `${what} forwards to a target group (TargetType ${targetType}); podgate manages only targets bound directly (TargetType NODE): bind the pods to the target group instead, or point the rule at a listener without one`;

/** Finds where a rule lives on its load balancer, or says why it cannot be managed. */
export function resolvePlace(rule: RuleSpec, listeners: readonly Listener[]): Resolution {
  const listener = listeners.find((l) =>
    l.Protocol.toUpperCase() === rule.protocol && l.Port === rule.port
  );
  const name = `${rule.protocol}:${rule.port}`;
  if (!listener) {
    return { ok: false, reason: `${rule.loadBalancerId} has no ${name} listener` };
  }
  if (!isL7(rule.protocol)) {
    if (boundToGroup(listener.TargetType)) {
      return { ok: false, reason: groupRefusal(`listener ${name}`, listener.TargetType!) };
    }
    return { ok: true, place: { listenerId: listener.ListenerId } };
  }
  const domain = (rule.domain ?? "").toLowerCase();
  const match = (listener.Rules ?? []).find((r) => {
    const domains = [r.Domain, ...(r.Domains ?? [])].filter((d): d is string => !!d)
      .map((d) => d.toLowerCase());
    return domains.includes(domain) && r.Url === rule.url;
  });
  if (!match) {
    return {
      ok: false,
      reason: `listener ${name} (${listener.ListenerId}) has no rule for ${rule.domain}${rule.url}`,
    };
  }
  if (boundToGroup(match.TargetType)) {
    return { ok: false, reason: groupRefusal(`rule ${rule.domain}${rule.url}`, match.TargetType!) };
  }
  return { ok: true, place: { listenerId: listener.ListenerId, locationId: match.LocationId } };
}

function toActual(backend: Backend): ActualTarget {
  return {
    ip: backend.PrivateIpAddresses?.[0] ?? "",
    port: backend.Port,
    weight: backend.Weight ?? 10,
    type: (backend.Type ?? "").toUpperCase(),
    tag: backend.Tag ?? "",
    instanceId: backend.InstanceId ?? undefined,
  };
}

/** The targets bound at `place`, from a DescribeTargets answer. */
export function actualTargets(
  listeners: readonly ListenerBackend[],
  place: Place,
): ActualTarget[] | undefined {
  const listener = listeners.find((l) => l.ListenerId === place.listenerId);
  if (!listener) return undefined;
  if (place.locationId === undefined) return (listener.Targets ?? []).map(toActual);
  const rule = (listener.Rules ?? []).find((r) => r.LocationId === place.locationId);
  // A rule without targets may be left out or come back with Targets null.
  return (rule?.Targets ?? []).map(toActual);
}
