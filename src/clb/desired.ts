// Desired targets: a Deployment → its selector → its pods, kept only when a ReplicaSet this
// Deployment owns (by UID) owns them, and they are Running, Ready=True (or, gated on podgate's
// condition, ContainersReady=True), not terminating and have an IP. A terminating pod that is
// still running stays, marked to drain at weight 0. The pods that ask for the readiness gate are
// listed too, for the gate step.
import { type KubeApi, KubeApiError } from "../kube/api.ts";
import {
  type Deployment,
  deploymentSchema,
  type Pod,
  type PodCondition,
  podListSchema,
  type ReplicaSet,
  replicaSetListSchema,
} from "./kube_objects.ts";
import { mayServe, podCondition, readinessGates } from "./pod_readiness.ts";
import { type LabelSelector, selectorIsEmpty, selectorMatches, selectorQuery } from "./selector.ts";
import { type BackendRef, type DesiredTarget, targetKey } from "./types.ts";

/** A Deployment whose pods could not be read: the rules it feeds are skipped, never emptied. */
export class DesiredReadError extends Error {
  readonly deployment: string;
  /** `not_found`, `forbidden`, `unauthorized`, `api_error` or `bad_response`. */
  readonly reason: string;
  constructor(deployment: string, reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DesiredReadError";
    this.deployment = deployment;
    this.reason = reason;
  }
}

/** A pod that may carry traffic. */
export interface ServingPod {
  readonly name: string;
  readonly ip: string;
  /** It has a deletionTimestamp and still runs: weight 0, then removal once it is gone. */
  readonly draining: boolean;
}

/** A running pod that lists podgate's readiness gate: the gate step decides its condition. */
export interface GatedPod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly ip: string;
  /** Its containers are ready (and any other gate is True): it is, or will be, registered. */
  readonly eligible: boolean;
  /** The gate's condition as the API server holds it. */
  readonly condition: PodCondition | undefined;
}

export interface PodSet {
  readonly deployment: string;
  readonly selector: LabelSelector;
  readonly pods: readonly ServingPod[];
  readonly gated: readonly GatedPod[];
}

/** The readiness gate podgate sets by default. */
export const DEFAULT_GATE_TYPE = "podgate.io/clb-registered";

/** The pods of `deployment`, from lists that may hold other objects too (pure). */
export function ownedPods(
  deployment: Deployment,
  replicaSets: readonly ReplicaSet[],
  pods: readonly Pod[],
): Pod[] {
  const selector = deployment.spec.selector;
  // An empty selector would select every pod in the namespace; apps/v1 forbids it anyway.
  if (selectorIsEmpty(selector)) return [];
  const owned = (
    refs: ReplicaSet["metadata"]["ownerReferences"],
    kind: string,
    uids: Set<string>,
  ) => (refs ?? []).some((ref) => ref.kind === kind && uids.has(ref.uid));
  const deploymentUid = new Set([deployment.metadata.uid]);
  const rsUids = new Set(
    replicaSets.filter((rs) => owned(rs.metadata.ownerReferences, "Deployment", deploymentUid))
      .map((rs) => rs.metadata.uid),
  );
  return pods.filter((pod) =>
    selectorMatches(selector, pod.metadata.labels) &&
    owned(pod.metadata.ownerReferences, "ReplicaSet", rsUids)
  ).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

const running = (pod: Pod) => !!pod.status?.podIP && pod.status?.phase === "Running";

/** Of a Deployment's pods, those that serve or drain (pure). */
export function servingPods(pods: readonly Pod[], gateType = DEFAULT_GATE_TYPE): ServingPod[] {
  const out: ServingPod[] = [];
  for (const pod of pods) {
    if (!running(pod)) continue;
    const draining = !!pod.metadata.deletionTimestamp;
    // A terminating pod is held at weight 0 while it runs, whatever its readiness: in-flight
    // requests finish, no new ones arrive.
    if (!draining && !mayServe(pod, gateType)) continue;
    out.push({ name: pod.metadata.name, ip: pod.status!.podIP!, draining });
  }
  return out;
}

/** Of a Deployment's pods, the running ones that list the gate and are not terminating (pure). */
export function gatedPods(pods: readonly Pod[], gateType = DEFAULT_GATE_TYPE): GatedPod[] {
  return pods.filter((pod) =>
    running(pod) && !pod.metadata.deletionTimestamp && readinessGates(pod).includes(gateType)
  ).map((pod) => ({
    namespace: pod.metadata.namespace ?? "",
    name: pod.metadata.name,
    uid: pod.metadata.uid,
    ip: pod.status!.podIP!,
    eligible: mayServe(pod, gateType),
    condition: podCondition(pod, gateType),
  }));
}

/** The targets a rule should hold: one per serving pod IP on the backend port (pure). */
export function desiredTargets(pods: readonly ServingPod[], backend: BackendRef): DesiredTarget[] {
  const byKey = new Map<string, DesiredTarget>();
  for (const pod of pods) {
    const key = targetKey(pod.ip, backend.port);
    // hostNetwork pods share a node IP: one target, and an active pod beats a draining one.
    const existing = byKey.get(key);
    if (existing && !existing.draining) continue;
    byKey.set(key, {
      ip: pod.ip,
      port: backend.port,
      weight: pod.draining ? 0 : backend.weight,
      pod: pod.name,
      draining: pod.draining,
    });
  }
  return [...byKey.values()];
}

function readError(deployment: string, what: string, error: unknown): DesiredReadError {
  if (error instanceof KubeApiError) {
    const reason = error.status === 404
      ? "not_found"
      : error.status === 403
      ? "forbidden"
      : error.status === 401
      ? "unauthorized"
      : "api_error";
    const detail = error.status === 404 && what === "Deployment"
      ? `Deployment ${deployment} not found`
      : `cannot read ${what} of ${deployment}: ${error.message}`;
    return new DesiredReadError(deployment, reason, detail, { cause: error });
  }
  const message = (error as Error)?.message ?? String(error);
  return new DesiredReadError(
    deployment,
    "api_error",
    `cannot read ${what} of ${deployment}: ${message}`,
    { cause: error },
  );
}

async function getParsed<T>(
  kube: KubeApi,
  path: string,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: Error } },
  deployment: string,
  what: string,
  signal: AbortSignal | undefined,
): Promise<T> {
  let body: unknown;
  try {
    body = await kube.getJson(path, signal ? { signal } : {});
  } catch (error) {
    throw readError(deployment, what, error);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new DesiredReadError(
      deployment,
      "bad_response",
      `cannot read ${what} of ${deployment}: unexpected response: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}

/** Reads a Deployment, its ReplicaSets and its pods. Throws DesiredReadError. */
export async function readPodSet(
  kube: KubeApi,
  namespace: string,
  name: string,
  { signal, gateType = DEFAULT_GATE_TYPE }: { signal?: AbortSignal; gateType?: string } = {},
): Promise<PodSet> {
  const id = `${namespace}/${name}`;
  const ns = encodeURIComponent(namespace);
  const deployment = await getParsed(
    kube,
    `/apis/apps/v1/namespaces/${ns}/deployments/${encodeURIComponent(name)}`,
    deploymentSchema,
    id,
    "Deployment",
    signal,
  );
  const query = `labelSelector=${encodeURIComponent(selectorQuery(deployment.spec.selector))}`;
  const [replicaSets, pods] = await Promise.all([
    getParsed(
      kube,
      `/apis/apps/v1/namespaces/${ns}/replicasets?${query}`,
      replicaSetListSchema,
      id,
      "the ReplicaSets",
      signal,
    ),
    getParsed(
      kube,
      `/api/v1/namespaces/${ns}/pods?${query}`,
      podListSchema,
      id,
      "the pods",
      signal,
    ),
  ]);
  const owned = ownedPods(deployment, replicaSets.items, pods.items)
    .map((pod) => ({ ...pod, metadata: { ...pod.metadata, namespace } }));
  return {
    deployment: id,
    selector: deployment.spec.selector,
    pods: servingPods(owned, gateType),
    gated: gatedPods(owned, gateType),
  };
}

/**
 * One pass's reader: each Deployment is read once however many rules it feeds, and each read
 * gets its own timeout.
 */
export function createDesiredReader(
  kube: KubeApi,
  { timeoutMs = 30_000, gateType }: { timeoutMs?: number; gateType?: string } = {},
): (backend: BackendRef) => Promise<PodSet> {
  const cache = new Map<string, Promise<PodSet>>();
  return (backend) => {
    const id = `${backend.namespace}/${backend.deployment}`;
    let read = cache.get(id);
    if (!read) {
      const signal = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
      read = readPodSet(kube, backend.namespace, backend.deployment, {
        ...(signal ? { signal } : {}),
        ...(gateType ? { gateType } : {}),
      });
      cache.set(id, read);
    }
    return read;
  };
}
