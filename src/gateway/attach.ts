// Whether one parentRef attaches a route to the Gateway podgate serves (Gateway API v1:
// ParentReference, Listener, AllowedRoutes): the listeners the ref selects (sectionName, port),
// then those of them that allow the route (HTTP protocol, HTTPRoute kind, the route's
// namespace), then the hostnames the route keeps under theirs. The answer is the Accepted
// condition and, when accepted, the hostnames the route serves there.
import { intersectHostnames } from "../routes/hostname.ts";
import type { GatewayKey } from "./parent_ref.ts";
import {
  type Gateway,
  GATEWAY_GROUP,
  type HttpRoute,
  type Listener,
  type ParentReference,
} from "./schemas.ts";

export interface Verdict {
  readonly status: "True" | "False";
  readonly reason: string;
  readonly message: string;
}

export type Attachment =
  | { readonly accepted: false; readonly verdict: Verdict }
  /** `hostnames` empty: every host (neither the route nor a listener names one). */
  | { readonly accepted: true; readonly verdict: Verdict; readonly hostnames: readonly string[] };

export interface AttachOptions {
  readonly gatewayKey: GatewayKey;
  /** The one listener podgate serves, when configured; otherwise all of the Gateway's. */
  readonly sectionName?: string | undefined;
}

const refused = (reason: string, message: string): Attachment => ({
  accepted: false,
  verdict: { status: "False", reason, message },
});

/** Why `listener` refuses routes of `route`'s kind and namespace, or undefined. */
function listenerProblem(
  listener: Listener,
  route: HttpRoute,
  gateway: Gateway,
): string | undefined {
  const name = `listener "${listener.name}"`;
  if (listener.protocol !== "HTTP") {
    return `${name} has protocol ${listener.protocol}; podgate serves HTTP listeners only`;
  }
  const kinds = listener.allowedRoutes?.kinds ?? [];
  if (
    kinds.length > 0 &&
    !kinds.some((k) => (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && k.kind === "HTTPRoute")
  ) {
    return `${name} does not allow HTTPRoute (allowedRoutes.kinds)`;
  }
  const from = listener.allowedRoutes?.namespaces?.from ?? "Same";
  const routeNamespace = route.metadata.namespace;
  switch (from) {
    case "All":
      return undefined;
    case "Same":
      return routeNamespace === gateway.metadata.namespace ? undefined : `${name} allows routes ` +
        `from namespace ${gateway.metadata.namespace} only (allowedRoutes.namespaces.from: Same)`;
    case "Selector":
      return `${name} selects route namespaces by label (allowedRoutes.namespaces.from: ` +
        `Selector), which podgate does not support: use Same or All`;
    default:
      return `${name} has allowedRoutes.namespaces.from ${JSON.stringify(from)}, which podgate ` +
        `does not know`;
  }
}

/** The listeners `ref` selects among those podgate serves. */
function selectedListeners(ref: ParentReference, gateway: Gateway, sectionName?: string) {
  return gateway.spec.listeners.filter((l) =>
    (sectionName === undefined || l.name === sectionName) &&
    (ref.sectionName === undefined || l.name === ref.sectionName) &&
    (ref.port === undefined || l.port === ref.port)
  );
}

export function attach(
  ref: ParentReference,
  route: HttpRoute,
  gateway: Gateway | undefined,
  { gatewayKey, sectionName }: AttachOptions,
): Attachment {
  const gatewayName = `${gatewayKey.namespace}/${gatewayKey.name}`;
  if (!gateway) return refused("NoMatchingParent", `Gateway ${gatewayName} does not exist`);
  const listeners = selectedListeners(ref, gateway, sectionName);
  if (listeners.length === 0) {
    const wanted = [
      ref.sectionName !== undefined ? `named "${ref.sectionName}"` : "",
      ref.port !== undefined ? `on port ${ref.port}` : "",
    ].filter(Boolean).join(" ");
    const served = sectionName !== undefined
      ? ` (podgate serves its listener "${sectionName}")`
      : "";
    return refused(
      "NoMatchingParent",
      `Gateway ${gatewayName} has no listener ${wanted || "at all"}${served}`,
    );
  }
  const problems: string[] = [];
  const allowing: Listener[] = [];
  for (const listener of listeners) {
    const problem = listenerProblem(listener, route, gateway);
    if (problem) problems.push(problem);
    else allowing.push(listener);
  }
  if (allowing.length === 0) return refused("NotAllowedByListeners", problems.join("; "));

  const routeHostnames = route.spec.hostnames.map((h) => h.toLowerCase());
  let everyHost = false;
  const hostnames = new Set<string>();
  for (const listener of allowing) {
    if (listener.hostname === undefined && routeHostnames.length === 0) everyHost = true;
    for (const name of intersectHostnames(listener.hostname?.toLowerCase(), routeHostnames)) {
      hostnames.add(name);
    }
  }
  if (!everyHost && hostnames.size === 0) {
    const theirs = allowing.map((l) => l.hostname).filter(Boolean).join(", ");
    return refused(
      "NoMatchingListenerHostname",
      `none of the route's hostnames (${routeHostnames.join(", ")}) is within the listener ` +
        `hostname${allowing.length > 1 ? "s" : ""} ${theirs}`,
    );
  }
  return {
    accepted: true,
    verdict: {
      status: "True",
      reason: "Accepted",
      message: `Accepted by listener${allowing.length > 1 ? "s" : ""} ${
        allowing.map((l) => l.name).join(", ")
      } of Gateway ${gatewayName}`,
    },
    hostnames: everyHost ? [] : [...hostnames].sort(),
  };
}
