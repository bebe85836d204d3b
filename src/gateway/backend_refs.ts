// One HTTPBackendRef resolved to where its endpoints come from (Gateway API v1 BackendRef,
// ReferenceGrant v1beta1): a core Service in the route's namespace, or in another one that a
// ReferenceGrant opens to HTTPRoutes of the route's namespace. Anything else is an invalid
// source with the ResolvedRefs reason the spec names; its share of the traffic gets a 500.
import type { BackendSource } from "../routes/types.ts";
import {
  GATEWAY_GROUP,
  type HttpBackendRef,
  type ReferenceGrant,
  type Service,
} from "./schemas.ts";

export interface RefContext {
  readonly routeNamespace: string;
  /** Services by `namespace/name`. */
  readonly services: ReadonlyMap<string, Service>;
  readonly grants: readonly ReferenceGrant[];
}

// appProtocols that say the port does not speak HTTP/1.1 (podgate's only upstream protocol).
const UNSUPPORTED_APP_PROTOCOLS = new Set([
  "kubernetes.io/h2c",
  "kubernetes.io/wss",
  "h2c",
  "https",
  "grpc",
]);

const invalid = (reason: string, message: string): BackendSource => ({
  kind: "invalid",
  reason,
  message,
});

/** Whether a ReferenceGrant in `namespace` lets HTTPRoutes of `from` refer to Service `name`. */
export function grantAllows(
  grants: readonly ReferenceGrant[],
  { from, namespace, name }: { from: string; namespace: string; name: string },
): boolean {
  return grants.some((grant) =>
    grant.metadata.namespace === namespace &&
    grant.spec.from.some((f) =>
      f.group === GATEWAY_GROUP && f.kind === "HTTPRoute" && f.namespace === from
    ) &&
    grant.spec.to.some((t) =>
      t.group === "" && t.kind === "Service" && (t.name === undefined || t.name === name)
    )
  );
}

export function resolveBackendRef(ref: HttpBackendRef, context: RefContext): BackendSource {
  const group = ref.group ?? "";
  const kind = ref.kind ?? "Service";
  if (group !== "" || kind !== "Service") {
    return invalid(
      "InvalidKind",
      `backendRef ${ref.name}: ${group ? `${group}/` : ""}${kind} is not supported; podgate ` +
        `routes to core Services only`,
    );
  }
  const namespace = ref.namespace ?? context.routeNamespace;
  const full = `${namespace}/${ref.name}`;
  if (
    namespace !== context.routeNamespace &&
    !grantAllows(context.grants, { from: context.routeNamespace, namespace, name: ref.name })
  ) {
    return invalid(
      "RefNotPermitted",
      `backendRef ${full}: no ReferenceGrant in namespace ${namespace} allows HTTPRoutes from ` +
        `namespace ${context.routeNamespace} to refer to Service ${ref.name}`,
    );
  }
  const service = context.services.get(full);
  if (!service) return invalid("BackendNotFound", `backendRef ${full}: Service not found`);
  if (ref.port === undefined) {
    return invalid("BackendNotFound", `backendRef ${full}: port is required for a Service`);
  }
  const port = service.spec.ports.find((p) => p.port === ref.port);
  if (!port) {
    return invalid("BackendNotFound", `backendRef ${full}: Service has no port ${ref.port}`);
  }
  const protocol = port.protocol ?? "TCP";
  if (protocol !== "TCP" || UNSUPPORTED_APP_PROTOCOLS.has(port.appProtocol ?? "")) {
    return invalid(
      "UnsupportedProtocol",
      `backendRef ${full}: port ${ref.port} is ${port.appProtocol ?? protocol}; podgate ` +
        `forwards HTTP/1.1 over TCP only`,
    );
  }
  return {
    kind: "service",
    namespace,
    name: ref.name,
    // The endpoints' port: EndpointSlices name their ports after the Service's ports (an
    // unnamed port is ""), and carry the resolved target port, which may be a container port
    // name here. A numeric target of an unnamed port is the plainer answer.
    port: port.name
      ? port.name
      : typeof port.targetPort === "number"
      ? port.targetPort
      : port.targetPort === undefined
      ? port.port
      : "",
  };
}
