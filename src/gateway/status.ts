// The HTTPRoute status podgate owes (pure): its `status.parents` entries — one per parentRef that
// names its Gateway, with podgate's controllerName — merged into the list every other
// controller shares, and the merge patch that writes it. A merge patch replaces arrays whole, so
// the body carries the whole list; its resourceVersion turns a concurrent write into a 409.
// lastTransitionTime moves only when a condition's status does (metav1.Condition's rule).
import { type GatewayKey, namesGateway, sameParentRef } from "./parent_ref.ts";
import type { Condition, HttpRoute, RouteParentStatus } from "./schemas.ts";
import type { ParentOutcome } from "./translate.ts";

export interface StatusOptions {
  readonly controllerName: string;
  readonly gatewayKey: GatewayKey;
  /** Now, in ms (lastTransitionTime of a condition that changed). */
  readonly now: number;
}

export interface StatusPatch {
  readonly path: string;
  readonly body: {
    readonly metadata: { readonly resourceVersion: string | undefined };
    readonly status: { readonly parents: readonly RouteParentStatus[] };
  };
}

/** metav1.Time: RFC 3339 in whole seconds. */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Whether `entry` is podgate's: its controllerName and a ref to podgate's Gateway. */
export function isOwnEntry(
  entry: RouteParentStatus,
  route: HttpRoute,
  { controllerName, gatewayKey }: Pick<StatusOptions, "controllerName" | "gatewayKey">,
): boolean {
  // The Gateway matters too: two podgate installs serving two Gateways share a controllerName.
  return entry.controllerName === controllerName &&
    namesGateway(entry.parentRef, route.metadata.namespace, gatewayKey);
}

/** The whole `status.parents` list with podgate's entries as `owned` says. */
export function desiredParents(
  route: HttpRoute,
  owned: readonly ParentOutcome[],
  options: StatusOptions,
): RouteParentStatus[] {
  const namespace = route.metadata.namespace;
  const current = route.status?.parents ?? [];
  const previous = current.filter((e) => isOwnEntry(e, route, options));
  const entryFor = (outcome: ParentOutcome): RouteParentStatus => {
    const before = previous.find((e) => sameParentRef(e.parentRef, outcome.parentRef, namespace));
    return {
      parentRef: outcome.parentRef,
      controllerName: options.controllerName,
      conditions: outcome.conditions.map((c): Condition => {
        const old = before?.conditions?.find((o) => o.type === c.type);
        return {
          type: c.type,
          status: c.status,
          reason: c.reason,
          message: c.message,
          ...(route.metadata.generation !== undefined
            ? { observedGeneration: route.metadata.generation }
            : {}),
          lastTransitionTime: old?.status === c.status && old.lastTransitionTime
            ? old.lastTransitionTime
            : kubeTime(options.now),
        };
      }),
    };
  };
  const placed = new Set<ParentOutcome>();
  const out: RouteParentStatus[] = [];
  // Other controllers' entries stay where they are; podgate's are replaced in place or dropped.
  for (const entry of current) {
    if (!isOwnEntry(entry, route, options)) {
      out.push(entry);
      continue;
    }
    const outcome = owned.find((o) =>
      !placed.has(o) && sameParentRef(o.parentRef, entry.parentRef, namespace)
    );
    if (!outcome) continue;
    placed.add(outcome);
    out.push(entryFor(outcome));
  }
  for (const outcome of owned) if (!placed.has(outcome)) out.push(entryFor(outcome));
  return out;
}

/** JSON equality that ignores key order (the API server re-sorts keys it stores). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((v, i) => sameJson(v, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return ka.length === kb.length &&
      ka.every((k) =>
        sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
      );
  }
  return false;
}

export function statusPath(route: HttpRoute): string {
  const { namespace, name } = route.metadata;
  return `/apis/gateway.networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}` +
    `/httproutes/${encodeURIComponent(name)}/status`;
}

/** The patch that brings the route's status to `owned`, or undefined when it already says so. */
export function statusPatch(
  route: HttpRoute,
  owned: readonly ParentOutcome[],
  options: StatusOptions,
): StatusPatch | undefined {
  const current = route.status?.parents ?? [];
  // Not ours and never was: nothing to write (and no empty status invented for it).
  if (owned.length === 0 && !current.some((e) => isOwnEntry(e, route, options))) return undefined;
  const parents = desiredParents(route, owned, options);
  if (sameJson(parents, current)) return undefined;
  return {
    path: statusPath(route),
    body: { metadata: { resourceVersion: route.metadata.resourceVersion }, status: { parents } },
  };
}
