// The shapes every Kubernetes list and watch shares: object metadata, the list envelope, and
// watch events. Item bodies are parsed by each caller's own schema.
import { z } from "zod";

export const objectMetaSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  labels: z.record(z.string(), z.string()).nullish(),
  deletionTimestamp: z.string().nullish(),
});

/** What the reflector needs from any object: a name (and namespace) to key it by. */
export interface KubeObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string | undefined;
    readonly resourceVersion?: string | undefined;
  };
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** Any `…List`: its resourceVersion is where a watch starts. */
export const listSchema = z.object({
  metadata: z.object({
    resourceVersion: z.string().min(1),
    continue: z.string().optional(),
  }),
  items: z.array(z.unknown()).nullable(),
});

export const WATCH_EVENT_TYPES = ["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"] as const;

export const watchEventSchema = z.object({
  type: z.enum(WATCH_EVENT_TYPES),
  object: z.unknown(),
});

export type WatchEvent = z.output<typeof watchEventSchema>;

/** A BOOKMARK carries only `metadata.resourceVersion`; every other event object has it too. */
export const resourceVersionOf = z.object({
  metadata: z.object({ resourceVersion: z.string().min(1) }),
});
