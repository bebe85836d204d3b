// Which parentRefs name the Gateway podgate serves, with the spec's defaults filled in (group
// gateway.networking.k8s.io, kind Gateway, namespace the route's own), and when two refs are the
// same ref (status entries are matched to spec entries that way).
import { GATEWAY_GROUP, type ParentReference } from "./schemas.ts";

/** The Gateway podgate serves. */
export interface GatewayKey {
  readonly namespace: string;
  readonly name: string;
}

/** Whether `ref`, written in a route of `routeNamespace`, names `gateway`. */
export function namesGateway(
  ref: ParentReference,
  routeNamespace: string,
  gateway: GatewayKey,
): boolean {
  return (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
    (ref.kind ?? "Gateway") === "Gateway" &&
    (ref.namespace ?? routeNamespace) === gateway.namespace &&
    ref.name === gateway.name;
}

/** Whether two refs of one route select the same parent section (defaults filled). */
export function sameParentRef(a: ParentReference, b: ParentReference, routeNamespace: string) {
  return (a.group ?? GATEWAY_GROUP) === (b.group ?? GATEWAY_GROUP) &&
    (a.kind ?? "Gateway") === (b.kind ?? "Gateway") &&
    (a.namespace ?? routeNamespace) === (b.namespace ?? routeNamespace) &&
    a.name === b.name &&
    (a.sectionName ?? "") === (b.sectionName ?? "") &&
    (a.port ?? 0) === (b.port ?? 0);
}
