// Desired targets: a Deployment → its selector → its pods, kept only when a ReplicaSet this
// Deployment owns (by UID) owns them, and they are Running, Ready=True, not terminating and have
// an IP. A terminating pod that still serves stays, marked to drain at weight 0.
import { type KubeApi, KubeApiError } from "../kube/api.ts";
import {
  type Deployment,
  deploymentSchema,
  type Pod,
  podListSchema,
  type ReplicaSet,
  replicaSetListSchema,
} from "./kube_objects.ts";
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
  /** It has a deletionTimestamp but is still Ready: weight 0, then removal once it is gone. */
  readonly draining: boolean;
}

export interface PodSet {
  readonly deployment: string;
  readonly selector: LabelSelector;
  readonly pods: readonly ServingPod[];
}

function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** The pods of `deployment` that serve, from lists that may hold other objects too (pure). */
export function servingPods(
  deployment: Deployment,
  replicaSets: readonly ReplicaSet[],
  pods: readonly Pod[],
): ServingPod[] {
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
  const out: ServingPod[] = [];
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || pod.status?.phase !== "Running" || !isReady(pod)) continue;
    if (!selectorMatches(selector, pod.metadata.labels)) continue;
    if (!owned(pod.metadata.ownerReferences, "ReplicaSet", rsUids)) continue;
    out.push({ name: pod.metadata.name, ip, draining: !!pod.metadata.deletionTimestamp });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
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
  { signal }: { signal?: AbortSignal } = {},
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
  return {
    deployment: id,
    selector: deployment.spec.selector,
    pods: servingPods(deployment, replicaSets.items, pods.items),
  };
}

/**
 * One pass's reader: each Deployment is read once however many rules it feeds, and each read
 * gets its own timeout.
 */
export function createDesiredReader(
  kube: KubeApi,
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): (backend: BackendRef) => Promise<PodSet> {
  const cache = new Map<string, Promise<PodSet>>();
  return (backend) => {
    const id = `${backend.namespace}/${backend.deployment}`;
    let read = cache.get(id);
    if (!read) {
      const signal = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
      read = readPodSet(kube, backend.namespace, backend.deployment, signal ? { signal } : {});
      cache.set(id, read);
    }
    return read;
  };
}
