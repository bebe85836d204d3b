// The Gateway API objects podgate reads (HTTPRoute v1, Gateway v1, ReferenceGrant v1beta1) and
// the Service fields it needs, as zod schemas: strict on the fields we read, loose on everything
// else (newer CRD versions add fields; an entry of another controller must survive a round trip).
// Enum-like fields are plain strings: a value podgate does not know is a status to report
// (UnsupportedValue), not an object to drop.
import { z } from "zod";
import { objectMetaSchema } from "../kube/objects.ts";

const list = <T extends z.ZodType>(item: T) => z.array(item).nullish().transform((v) => v ?? []);

const metadata = objectMetaSchema.extend({
  namespace: z.string().min(1),
  generation: z.int().optional(),
  creationTimestamp: z.string().optional(),
});

// --- HTTPRoute -------------------------------------------------------------------------------

export const parentReferenceSchema = z.looseObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().min(1),
  sectionName: z.string().optional(),
  port: z.int().optional(),
});
export type ParentReference = z.output<typeof parentReferenceSchema>;

const nameValueMatch = z.looseObject({
  type: z.string().optional(),
  name: z.string().min(1),
  value: z.string(),
});

const routeMatch = z.looseObject({
  path: z.looseObject({ type: z.string().optional(), value: z.string().optional() }).optional(),
  headers: list(nameValueMatch),
  queryParams: list(nameValueMatch),
  method: z.string().optional(),
});
export type HttpRouteMatch = z.output<typeof routeMatch>;

const header = z.looseObject({ name: z.string().min(1), value: z.string() });
const headerFilter = z.looseObject({
  set: list(header),
  add: list(header),
  remove: list(z.string().min(1)),
});
export type HttpHeaderFilter = z.output<typeof headerFilter>;

const pathModifier = z.looseObject({
  type: z.string(),
  replaceFullPath: z.string().optional(),
  replacePrefixMatch: z.string().optional(),
});
export type HttpPathModifier = z.output<typeof pathModifier>;

const routeFilter = z.looseObject({
  type: z.string(),
  requestHeaderModifier: headerFilter.optional(),
  responseHeaderModifier: headerFilter.optional(),
  requestRedirect: z.looseObject({
    scheme: z.string().optional(),
    hostname: z.string().optional(),
    path: pathModifier.optional(),
    port: z.int().optional(),
    statusCode: z.int().optional(),
  }).optional(),
  urlRewrite: z.looseObject({
    hostname: z.string().optional(),
    path: pathModifier.optional(),
  }).optional(),
});
export type HttpRouteFilter = z.output<typeof routeFilter>;

const backendRef = z.looseObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().min(1),
  namespace: z.string().optional(),
  port: z.int().optional(),
  weight: z.int().min(0).optional(),
  filters: list(routeFilter),
});
export type HttpBackendRef = z.output<typeof backendRef>;

const routeRule = z.looseObject({
  name: z.string().optional(),
  matches: list(routeMatch),
  filters: list(routeFilter),
  backendRefs: list(backendRef),
});
export type HttpRouteRule = z.output<typeof routeRule>;

export const conditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  observedGeneration: z.int().optional(),
  lastTransitionTime: z.string().optional(),
});
export type Condition = z.output<typeof conditionSchema>;

export const routeParentStatusSchema = z.looseObject({
  parentRef: parentReferenceSchema,
  controllerName: z.string(),
  // Not defaulted: another controller's entry goes back exactly as it came.
  conditions: z.array(conditionSchema).optional(),
});
export type RouteParentStatus = z.output<typeof routeParentStatusSchema>;

export const httpRouteSchema = z.looseObject({
  metadata,
  spec: z.looseObject({
    parentRefs: list(parentReferenceSchema),
    hostnames: list(z.string()),
    rules: list(routeRule),
  }),
  status: z.looseObject({ parents: list(routeParentStatusSchema) }).nullish(),
});
export type HttpRoute = z.output<typeof httpRouteSchema>;

// --- Gateway ---------------------------------------------------------------------------------

const listener = z.looseObject({
  name: z.string().min(1),
  hostname: z.string().optional(),
  port: z.int(),
  protocol: z.string(),
  allowedRoutes: z.looseObject({
    namespaces: z.looseObject({
      from: z.string().optional(),
      selector: z.unknown().optional(),
    }).optional(),
    kinds: list(z.looseObject({ group: z.string().optional(), kind: z.string() })),
  }).optional(),
});
export type Listener = z.output<typeof listener>;

export const gatewaySchema = z.looseObject({
  metadata,
  spec: z.looseObject({ listeners: list(listener) }),
});
export type Gateway = z.output<typeof gatewaySchema>;

// --- ReferenceGrant (v1beta1) ----------------------------------------------------------------

export const referenceGrantSchema = z.looseObject({
  metadata,
  spec: z.looseObject({
    from: list(z.looseObject({ group: z.string(), kind: z.string(), namespace: z.string() })),
    to: list(z.looseObject({ group: z.string(), kind: z.string(), name: z.string().optional() })),
  }),
});
export type ReferenceGrant = z.output<typeof referenceGrantSchema>;

// --- Service ---------------------------------------------------------------------------------

export const serviceSchema = z.looseObject({
  metadata,
  spec: z.looseObject({
    ports: list(z.looseObject({
      name: z.string().optional(),
      port: z.int(),
      targetPort: z.union([z.int(), z.string()]).optional(),
      protocol: z.string().optional(),
      appProtocol: z.string().optional(),
    })),
  }),
});
export type Service = z.output<typeof serviceSchema>;

export const GATEWAY_GROUP = "gateway.networking.k8s.io";
