// The parts of Deployments, ReplicaSets and Pods that clb-sync reads, parsed at the edge. Shapes
// follow a real API server's answers (tests/…/fixtures/kube: get-deployment, list-replicasets,
// list-pods); everything else in those objects is ignored.
import { z } from "zod";
import { labelSelectorSchema } from "./selector.ts";

const ownerReference = z.object({
  kind: z.string(),
  name: z.string().optional(),
  uid: z.string(),
  controller: z.boolean().nullish(),
});

const meta = z.object({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().min(1),
  labels: z.record(z.string(), z.string()).nullish(),
  ownerReferences: z.array(ownerReference).nullish(),
  deletionTimestamp: z.string().nullish(),
});

export const deploymentSchema = z.object({
  metadata: meta,
  spec: z.object({ selector: labelSelectorSchema }),
});

export const replicaSetListSchema = z.object({
  items: z.array(z.object({ metadata: meta })).nullable().transform((items) => items ?? []),
});

const podCondition = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().nullish(),
  message: z.string().nullish(),
  lastTransitionTime: z.string().nullish(),
});

export const podSchema = z.object({
  metadata: meta,
  spec: z.object({
    readinessGates: z.array(z.object({ conditionType: z.string() })).nullish(),
  }).nullish(),
  status: z.object({
    phase: z.string().nullish(),
    podIP: z.string().nullish(),
    conditions: z.array(podCondition).nullish(),
  }).nullish(),
});

export const podListSchema = z.object({
  items: z.array(podSchema).nullable().transform((items) => items ?? []),
});

export type Deployment = z.output<typeof deploymentSchema>;
export type ReplicaSet = z.output<typeof replicaSetListSchema>["items"][number];
export type Pod = z.output<typeof podSchema>;
export type PodCondition = z.output<typeof podCondition>;
