// Gateway API objects (Gateway, HTTPRoute, ReferenceGrant; v1 and v1beta1) and core Services as a
// real API server returns them: the CRDs' and the Service strategy's defaults filled in. The fake
// API server applies the same defaults on every write, so hand-written objects come out alike.

// deno-lint-ignore no-explicit-any
type Json = any;

export const GATEWAY_GROUP = "gateway.networking.k8s.io";

export interface ObjectMetaInput {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ParentRefInput {
  name: string;
  namespace?: string;
  sectionName?: string;
  port?: number;
  group?: string;
  kind?: string;
}

export interface BackendRefInput {
  name: string;
  port?: number;
  namespace?: string;
  weight?: number;
  group?: string;
  kind?: string;
  filters?: Json[];
}

/** An HTTPRouteRule as written in a manifest; missing fields get the CRD's defaults. */
export interface HttpRouteRuleInput {
  name?: string;
  matches?: Json[];
  filters?: Json[];
  backendRefs?: BackendRefInput[];
  timeouts?: { request?: string; backendRequest?: string };
}

export interface ListenerInput {
  name: string;
  protocol: string;
  port: number;
  hostname?: string;
  allowedRoutes?: Json;
  tls?: Json;
}

export interface ServicePortInput {
  port: number;
  name?: string;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

const PATH_PREFIX_ROOT = () => ({ path: { type: "PathPrefix", value: "/" } });

function metadata({ namespace, name, labels, annotations }: ObjectMetaInput): Json {
  return {
    name,
    namespace,
    ...(labels ? { labels: { ...labels } } : {}),
    ...(annotations ? { annotations: { ...annotations } } : {}),
  };
}

/** A Gateway of class `gatewayClassName` (default "podgate"), one HTTP listener on 80 by default. */
export function gateway(
  { gatewayClassName = "podgate", listeners, ...meta }: ObjectMetaInput & {
    gatewayClassName?: string;
    listeners?: ListenerInput[];
  },
): Json {
  return defaultGateway({
    apiVersion: `${GATEWAY_GROUP}/v1`,
    kind: "Gateway",
    metadata: metadata(meta),
    spec: {
      gatewayClassName,
      listeners: structuredClone(listeners ?? [{ name: "http", protocol: "HTTP", port: 80 }]),
    },
  });
}

/** An HTTPRoute; `rules` omitted is the CRD's default: one rule matching PathPrefix `/`. */
export function httpRoute(
  { parentRefs, hostnames, rules, ...meta }: ObjectMetaInput & {
    parentRefs: ParentRefInput[];
    hostnames?: string[];
    rules?: HttpRouteRuleInput[];
  },
): Json {
  return defaultHttpRoute({
    apiVersion: `${GATEWAY_GROUP}/v1`,
    kind: "HTTPRoute",
    metadata: metadata(meta),
    spec: {
      parentRefs: structuredClone(parentRefs),
      ...(hostnames ? { hostnames: [...hostnames] } : {}),
      ...(rules ? { rules: structuredClone(rules) } : {}),
    },
  });
}

/** A ReferenceGrant in `namespace` letting `from` refer to `to` there (name "grant" by default). */
export function referenceGrant(
  { namespace, name = "grant", from, to, labels }: {
    namespace: string;
    name?: string;
    from: { group: string; kind: string; namespace: string }[];
    to: { group: string; kind: string; name?: string }[];
    labels?: Record<string, string>;
  },
): Json {
  return {
    apiVersion: `${GATEWAY_GROUP}/v1beta1`,
    kind: "ReferenceGrant",
    metadata: metadata({ namespace, name, ...(labels ? { labels } : {}) }),
    spec: { from: structuredClone(from), to: structuredClone(to) },
  };
}

/** A ClusterIP Service; `selector` defaults to `app: <name>`. */
export function service(
  { ports, selector, clusterIP, type, ...meta }: ObjectMetaInput & {
    ports: ServicePortInput[];
    selector?: Record<string, string>;
    clusterIP?: string;
    type?: "ClusterIP" | "NodePort" | "LoadBalancer";
  },
): Json {
  return defaultService({
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(meta),
    spec: {
      ports: structuredClone(ports),
      selector: { ...(selector ?? { app: meta.name }) },
      ...(clusterIP ? { clusterIP } : {}),
      ...(type ? { type } : {}),
    },
  });
}

// The defaulting, as the CRD's OpenAPI `default:`s and the Service strategy apply it.

/** HTTPRoute v1 defaults: parentRefs group/kind (in spec and status), rules, matches, path, header/query match type, backendRef group/kind/weight, filters. */
export function defaultHttpRoute(object: Json): Json {
  for (const parent of object.status?.parents ?? []) {
    if (parent?.parentRef) defaultRef(parent.parentRef, GATEWAY_GROUP, "Gateway");
  }
  const spec = object.spec ??= {};
  for (const ref of spec.parentRefs ?? []) defaultRef(ref, GATEWAY_GROUP, "Gateway");
  spec.rules ??= [{ matches: [PATH_PREFIX_ROOT()] }];
  for (const rule of spec.rules) {
    rule.matches ??= [PATH_PREFIX_ROOT()];
    for (const match of rule.matches) {
      match.path ??= PATH_PREFIX_ROOT().path;
      match.path.type ??= "PathPrefix";
      match.path.value ??= "/";
      for (const header of match.headers ?? []) header.type ??= "Exact";
      for (const param of match.queryParams ?? []) param.type ??= "Exact";
    }
    for (const filter of rule.filters ?? []) defaultFilter(filter);
    for (const ref of rule.backendRefs ?? []) {
      defaultRef(ref, "", "Service");
      ref.weight ??= 1;
      for (const filter of ref.filters ?? []) defaultFilter(filter);
    }
  }
  return object;
}

/** Gateway v1 defaults: allowedRoutes from Same, TLS mode Terminate, Secret refs, and the Pending status. */
export function defaultGateway(object: Json): Json {
  const spec = object.spec ??= {};
  for (const listener of spec.listeners ?? []) {
    listener.allowedRoutes ??= { namespaces: { from: "Same" } };
    listener.allowedRoutes.namespaces ??= { from: "Same" };
    listener.allowedRoutes.namespaces.from ??= "Same";
    if (listener.tls) {
      listener.tls.mode ??= "Terminate";
      for (const ref of listener.tls.certificateRefs ?? []) defaultRef(ref, "", "Secret");
    }
  }
  for (const address of spec.addresses ?? []) address.type ??= "IPAddress";
  object.status ??= {
    conditions: ["Accepted", "Programmed"].map((type) => ({
      lastTransitionTime: "1970-01-01T00:00:00Z",
      message: "Waiting for controller",
      reason: "Pending",
      status: "Unknown",
      type,
    })),
  };
  return object;
}

let nextClusterIp = 10;

/** What the Service strategy fills in: type, an allocated clusterIP, families, policies, port protocol and targetPort. */
export function defaultService(object: Json): Json {
  const spec = object.spec ??= {};
  spec.type ??= "ClusterIP";
  if (!spec.clusterIP) {
    const n = nextClusterIp++;
    spec.clusterIP = `10.96.${(n >> 8) & 255}.${n & 255}`;
  }
  spec.clusterIPs ??= [spec.clusterIP];
  spec.ipFamilies ??= ["IPv4"];
  spec.ipFamilyPolicy ??= "SingleStack";
  spec.internalTrafficPolicy ??= "Cluster";
  spec.sessionAffinity ??= "None";
  for (const port of spec.ports ?? []) {
    port.protocol ??= "TCP";
    port.targetPort ??= port.port;
  }
  object.status ??= { loadBalancer: {} };
  return object;
}

function defaultRef(ref: Json, group: string, kind: string): void {
  ref.group ??= group;
  ref.kind ??= kind;
}

function defaultFilter(filter: Json): void {
  if (filter.requestRedirect) filter.requestRedirect.statusCode ??= 302;
  if (filter.requestMirror?.backendRef) defaultRef(filter.requestMirror.backendRef, "", "Service");
  if (filter.requestMirror?.fraction) filter.requestMirror.fraction.denominator ??= 100;
  if (filter.cors) filter.cors.maxAge ??= 5;
}

// What the HTTPRoute CRD's schema accepts in `status` (the part podgate writes), worded as the
// API server words a 422's causes.

export interface FieldError {
  field: string;
  reason:
    | "FieldValueRequired"
    | "FieldValueInvalid"
    | "FieldValueNotSupported"
    | "FieldValueTooMany"
    | "FieldValueTooLong"
    | "FieldValueDuplicate";
  /** The cause's message, e.g. `Required value`. */
  message: string;
}

const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const CONDITION_TYPE =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
const CONTROLLER_NAME =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$/;
// RFC 3339 as the API server's date-time format takes it.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The schema errors of an HTTPRoute's `status` (RouteStatus: parents, each a RouteParentStatus). */
export function routeStatusErrors(status: Json): FieldError[] {
  const errors: FieldError[] = [];
  const required = (field: string) =>
    errors.push({ field, reason: "FieldValueRequired", message: "Required value" });
  const invalid = (field: string, value: unknown, why: string) =>
    errors.push({
      field,
      reason: "FieldValueInvalid",
      message: `Invalid value: ${JSON.stringify(value)}: ${field} in body ${why}`,
    });
  const text = (
    field: string,
    value: unknown,
    pattern?: RegExp,
    minLength = 0,
    maxLength = Infinity,
  ) => {
    if (typeof value !== "string") return invalid(field, typeof value, "must be of type string");
    if (value.length < minLength) {
      invalid(field, value, `should be at least ${minLength} chars long`);
    } else if (value.length > maxLength) {
      errors.push({
        field,
        reason: "FieldValueTooLong",
        message: `Too long: may not be more than ${maxLength} bytes`,
      });
    } else if (pattern && !pattern.test(value)) {
      invalid(field, value, `should match '${pattern.source}'`);
    }
  };
  if (status === undefined) return errors;
  if (typeof status !== "object" || status === null || Array.isArray(status)) {
    invalid("status", typeof status, "must be of type object");
    return errors;
  }
  if (status.parents === undefined) required("status.parents");
  else if (!Array.isArray(status.parents)) {
    invalid("status.parents", typeof status.parents, "must be of type array");
  } else {
    if (status.parents.length > 32) {
      errors.push({
        field: "status.parents",
        reason: "FieldValueTooMany",
        message: `Too many: ${status.parents.length}: must have at most 32 items`,
      });
    }
    status.parents.forEach((parent: Json, i: number) => {
      const at = `status.parents[${i}]`;
      if (parent?.parentRef === undefined) required(`${at}.parentRef`);
      else if (parent.parentRef.name === undefined) required(`${at}.parentRef.name`);
      else text(`${at}.parentRef.name`, parent.parentRef.name, undefined, 1, 253);
      if (parent?.controllerName === undefined) required(`${at}.controllerName`);
      else text(`${at}.controllerName`, parent.controllerName, CONTROLLER_NAME, 1, 253);
      const conditions = parent?.conditions;
      if (conditions === undefined) return required(`${at}.conditions`);
      if (!Array.isArray(conditions)) {
        return invalid(`${at}.conditions`, typeof conditions, "must be of type array");
      }
      if (conditions.length < 1) {
        invalid(`${at}.conditions`, conditions.length, "should have at least 1 items");
      }
      if (conditions.length > 8) {
        errors.push({
          field: `${at}.conditions`,
          reason: "FieldValueTooMany",
          message: `Too many: ${conditions.length}: must have at most 8 items`,
        });
      }
      const types = new Set<unknown>();
      conditions.forEach((condition: Json, j: number) => {
        const c = `${at}.conditions[${j}]`;
        for (const key of ["lastTransitionTime", "message", "reason", "status", "type"]) {
          if (condition?.[key] === undefined) required(`${c}.${key}`);
        }
        if (condition?.type !== undefined) {
          text(`${c}.type`, condition.type, CONDITION_TYPE, 0, 316);
          if (types.has(condition.type)) {
            errors.push({
              field: c,
              reason: "FieldValueDuplicate",
              message: `Duplicate value: map[string]interface {}{"type":${
                JSON.stringify(condition.type)
              }}`,
            });
          }
          types.add(condition.type);
        }
        if (condition?.reason !== undefined) {
          text(`${c}.reason`, condition.reason, CONDITION_REASON, 1, 1024);
        }
        if (condition?.message !== undefined) {
          text(`${c}.message`, condition.message, undefined, 0, 32768);
        }
        if (
          condition?.status !== undefined &&
          !["True", "False", "Unknown"].includes(condition.status)
        ) {
          errors.push({
            field: `${c}.status`,
            reason: "FieldValueNotSupported",
            message: `Unsupported value: ${
              JSON.stringify(condition.status)
            }: supported values: "True", "False", "Unknown"`,
          });
        }
        const time = condition?.lastTransitionTime;
        if (time !== undefined && (typeof time !== "string" || !DATE_TIME.test(time))) {
          invalid(
            `${c}.lastTransitionTime`,
            time,
            `must be of type date-time: ${JSON.stringify(time)}`,
          );
        }
        const generation = condition?.observedGeneration;
        if (generation !== undefined && !Number.isInteger(generation)) {
          invalid(`${c}.observedGeneration`, typeof generation, "must be of type integer");
        } else if (generation !== undefined && generation < 0) {
          invalid(`${c}.observedGeneration`, generation, "should be greater than or equal to 0");
        }
      });
    });
  }
  return errors;
}
