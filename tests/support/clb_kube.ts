// A Kubernetes API in memory for the clb-sync tests: Deployments, ReplicaSets and Pods built from
// the real API server's answers in ../shared/fixtures/kube (the same JSON with other names, IPs
// and states), served through the KubeApi contract by path. Pods may list readiness gates; their
// Ready condition follows the kubelet's rule (containers ready AND every gate True), and the gate
// conditions are set through a strategic-merge patch of pods/status, as on a real API server.
import { type KubeApi, KubeApiError } from "../../src/kube/api.ts";
import type { KubePatchApi, PatchOptions } from "../../src/kube/patch.ts";

export const FIXTURES = new URL("../../../shared/fixtures/kube/", import.meta.url);

export function fixture(name: string): unknown {
  return JSON.parse(Deno.readTextFileSync(new URL(name, FIXTURES)));
}

// deno-lint-ignore no-explicit-any
type Json = any;

const clone = <T>(value: T): T => structuredClone(value);

export type PatchRoute = (path: string, body: unknown, options: PatchOptions) => unknown;

/** A KubeApi that answers GETs from `route(path)`; every path asked for is kept in `paths`. */
export function memoryKube(
  route: (path: string) => unknown,
  defaultNamespace = "default",
  patch: PatchRoute = (path) => new KubeApiError(405, "MethodNotAllowed", "no patches", path),
): KubeApi & KubePatchApi & { paths: string[] } {
  const paths: string[] = [];
  return {
    defaultNamespace,
    paths,
    patchJson(path, body, options = {}) {
      paths.push(`PATCH ${path}`);
      try {
        const answer = patch(path, clone(body), options);
        if (answer instanceof Error) return Promise.reject(answer);
        return Promise.resolve(clone(answer));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    getJson(path) {
      paths.push(path);
      try {
        const body = route(path);
        if (body instanceof Error) return Promise.reject(body);
        return Promise.resolve(clone(body));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    openStream(path) {
      return Promise.reject(new KubeApiError(501, "NotImplemented", "no watches here", path));
    },
  };
}

/** The API server's Status error for a status code (the fixtures' bodies). */
export function statusError(status: 403 | 404 | 500, path: string): KubeApiError {
  if (status === 404) {
    const body = fixture("notfound-404.json") as Json;
    return new KubeApiError(404, body.reason, body.message, path);
  }
  if (status === 403) {
    const body = fixture("forbidden-403.json") as Json;
    return new KubeApiError(403, body.reason, body.message, path);
  }
  return new KubeApiError(500, "InternalError", "etcdserver: request timed out", path);
}

/** A condition set through pods/status (a readiness gate's). */
export interface GateCondition {
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface PodState {
  name: string;
  ip: string | null;
  phase?: string;
  /** Its containers are ready (ContainersReady); Ready also needs every readiness gate True. */
  ready?: boolean;
  terminating?: boolean;
  /** spec.readinessGates: the condition types Ready waits for. */
  gates?: string[];
  /** Conditions patched through pods/status, by type. */
  conditions?: Record<string, GateCondition>;
  labels?: Record<string, string>;
  /** The ReplicaSet UID that owns it; by default its Deployment's current ReplicaSet. */
  ownerUid?: string;
}

export interface DeploymentState {
  namespace: string;
  name: string;
  uid: string;
  rsUid: string;
  selector: Json;
  labels: Record<string, string>;
  pods: PodState[];
}

/** A pods/status patch the cluster took: which pod, the condition, and when. */
export interface PatchRecord {
  at: number;
  namespace: string;
  pod: string;
  type: string;
  condition: GateCondition;
}

/** The kubelet's rule: Ready = containers ready AND every readiness gate's condition True. */
export function kubeletReady(p: PodState): boolean {
  return (p.ready ?? true) && (p.gates ?? []).every((g) => p.conditions?.[g]?.status === "True");
}

/**
 * A small cluster: Deployments with their ReplicaSet and pods, mutable by the test. Failures per
 * path prefix simulate missing, forbidden or broken reads (and patches).
 */
export class FakeCluster {
  readonly deployments = new Map<string, DeploymentState>();
  /** `path prefix → status`: reads under it fail with that API server error. */
  readonly failures = new Map<string, 403 | 404 | 500>();
  /** Every pods/status patch taken, in order. */
  readonly patches: PatchRecord[] = [];
  /** Told of each patch before it lands (a test checks what the CLB holds at that moment). */
  onPatch: ((record: PatchRecord) => void) | undefined;
  #seq = 0;

  /** Adds a Deployment shaped like the fixture (selector app=NAME + tier In (web, api)). */
  addDeployment(namespace: string, name: string, pods: PodState[] = []): DeploymentState {
    const n = ++this.#seq;
    const state: DeploymentState = {
      namespace,
      name,
      uid: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
      rsUid: `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`,
      selector: {
        matchLabels: { app: name },
        matchExpressions: [{ key: "tier", operator: "In", values: ["web", "api"] }],
      },
      labels: { app: name, tier: "web", "pod-template-hash": `h${n}` },
      pods,
    };
    this.deployments.set(`${namespace}/${name}`, state);
    return state;
  }

  /** Adds `count` Ready pods with IPs `prefix.1` … to a Deployment. */
  scale(namespace: string, name: string, count: number, prefix: string): void {
    const d = this.deployments.get(`${namespace}/${name}`)!;
    d.pods = Array.from(
      { length: count },
      (_, i) => ({ name: `${name}-${i + 1}`, ip: `${prefix}.${i + 1}` }),
    );
  }

  pod(namespace: string, deployment: string, podName: string): PodState {
    const pod = this.deployments.get(`${namespace}/${deployment}`)?.pods.find((p) =>
      p.name === podName
    );
    if (!pod) throw new Error(`no pod ${podName}`);
    return pod;
  }

  kube(): KubeApi & KubePatchApi & { paths: string[] } {
    return memoryKube(
      (path) => this.answer(path),
      "default",
      (path, body, options) => this.patch(path, body, options),
    );
  }

  /** Every pod, with its Deployment. */
  allPods(): Array<{ deployment: DeploymentState; pod: PodState }> {
    return [...this.deployments.values()].flatMap((d) =>
      d.pods.map((pod) => ({ deployment: d, pod }))
    );
  }

  /**
   * PATCH of pods/status: a strategic merge of status.conditions by type, as the API server does
   * it, with metadata.uid as a precondition. Only strategic-merge patches are taken.
   */
  patch(path: string, body: Json, { contentType = "" }: PatchOptions): unknown {
    for (const [prefix, status] of this.failures) {
      if (path.startsWith(prefix)) return statusError(status, path);
    }
    const m = path.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/status$/);
    if (!m) return new KubeApiError(404, "NotFound", "the server could not find it", path);
    const namespace = decodeURIComponent(m[1]!);
    const name = decodeURIComponent(m[2]!);
    const found = this.allPods().find((e) =>
      e.deployment.namespace === namespace && e.pod.name === name
    );
    if (!found) return statusError(404, path);
    if (contentType !== "application/strategic-merge-patch+json") {
      return new KubeApiError(415, "UnsupportedMediaType", `${contentType} not taken`, path);
    }
    const uid = `pod-${found.deployment.uid}-${name}`;
    if (body?.metadata?.uid !== undefined && body.metadata.uid !== uid) {
      return new KubeApiError(
        409,
        "Conflict",
        `Precondition failed: UID in precondition: ${body.metadata.uid}, UID in object meta: ${uid}`,
        path,
      );
    }
    for (const c of body?.status?.conditions ?? []) {
      const { type, lastProbeTime: _p, ...condition } = c;
      const record = { at: Date.now(), namespace, pod: name, type, condition };
      this.onPatch?.(record);
      this.patches.push(record);
      found.pod.conditions = { ...found.pod.conditions, [type]: condition };
    }
    return this.#pod(found.deployment, found.pod);
  }

  answer(path: string): unknown {
    for (const [prefix, status] of this.failures) {
      if (path.startsWith(prefix)) return statusError(status, path);
    }
    const [base] = path.split("?") as [string];
    let m = base.match(/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/);
    if (m) {
      const d = this.deployments.get(`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`);
      return d ? this.#deployment(d) : statusError(404, path);
    }
    m = base.match(/^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets$/);
    if (m) return this.#list("ReplicaSetList", "apps/v1", m[1]!, (d) => [this.#replicaSet(d)]);
    m = base.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods$/);
    if (m) return this.#list("PodList", "v1", m[1]!, (d) => d.pods.map((p) => this.#pod(d, p)));
    return new KubeApiError(
      404,
      "NotFound",
      `the server could not find the requested resource`,
      path,
    );
  }

  #list(kind: string, apiVersion: string, ns: string, items: (d: DeploymentState) => Json[]) {
    const namespace = decodeURIComponent(ns);
    const all = [...this.deployments.values()].filter((d) => d.namespace === namespace);
    return {
      kind,
      apiVersion,
      metadata: { resourceVersion: String(++this.#seq) },
      items: all.flatMap(items),
    };
  }

  /** Every object as an API server holds it, by resource (for a fake API server over HTTP). */
  objects(): { deployments: Json[]; replicasets: Json[]; pods: Json[] } {
    const all = [...this.deployments.values()];
    return {
      deployments: all.map((d) => this.#deployment(d)),
      replicasets: all.map((d) => this.#replicaSet(d)),
      pods: all.flatMap((d) => d.pods.map((p) => this.#pod(d, p))),
    };
  }

  #deployment(d: DeploymentState): Json {
    const body = clone(fixture("get-deployment.json")) as Json;
    body.metadata.name = d.name;
    body.metadata.namespace = d.namespace;
    body.metadata.uid = d.uid;
    body.metadata.labels = { app: d.name };
    body.spec.selector = clone(d.selector);
    body.spec.template.metadata.labels = { app: d.name, tier: "web" };
    return body;
  }

  #replicaSet(d: DeploymentState): Json {
    const rs = clone((fixture("list-replicasets.json") as Json).items[0]);
    rs.metadata.name = `${d.name}-${d.labels["pod-template-hash"]}`;
    rs.metadata.namespace = d.namespace;
    rs.metadata.uid = d.rsUid;
    rs.metadata.labels = clone(d.labels);
    rs.metadata.ownerReferences[0].name = d.name;
    rs.metadata.ownerReferences[0].uid = d.uid;
    return rs;
  }

  #pod(d: DeploymentState, p: PodState): Json {
    const pod = clone((fixture("list-pods.json") as Json).items[0]);
    pod.metadata.name = p.name;
    pod.metadata.namespace = d.namespace;
    pod.metadata.uid = `pod-${d.uid}-${p.name}`;
    pod.metadata.labels = clone(p.labels ?? d.labels);
    pod.metadata.ownerReferences[0].name = `${d.name}-${d.labels["pod-template-hash"]}`;
    pod.metadata.ownerReferences[0].uid = p.ownerUid ?? d.rsUid;
    if (p.terminating) {
      pod.metadata.deletionTimestamp = "2026-11-21T20:30:00Z";
      pod.metadata.deletionGracePeriodSeconds = 30;
    }
    pod.status.phase = p.phase ?? "Running";
    if (p.ip === null) {
      delete pod.status.podIP;
      delete pod.status.podIPs;
    } else {
      pod.status.podIP = p.ip;
      pod.status.podIPs = [{ ip: p.ip }];
    }
    const containersReady = p.ready ?? true;
    const gates = p.gates ?? [];
    if (gates.length) pod.spec.readinessGates = gates.map((conditionType) => ({ conditionType }));
    for (const condition of pod.status.conditions) {
      if (condition.type === "ContainersReady") {
        condition.status = containersReady ? "True" : "False";
      }
      if (condition.type === "Ready") Object.assign(condition, readyCondition(p));
    }
    for (const [type, c] of Object.entries(p.conditions ?? {})) {
      pod.status.conditions.push({ type, lastProbeTime: null, ...c });
    }
    return pod;
  }
}

/** The Ready condition as the kubelet writes it (GeneratePodReadyCondition). */
function readyCondition(p: PodState): Json {
  if (!(p.ready ?? true)) {
    return {
      status: "False",
      reason: "ContainersNotReady",
      message: "containers with unready status: [backend]",
    };
  }
  for (const gate of p.gates ?? []) {
    const status = p.conditions?.[gate]?.status;
    if (status === "True") continue;
    return {
      status: "False",
      reason: "ReadinessGatesNotReady",
      message: status === undefined
        ? `corresponding condition of pod readiness gate "${gate}" does not exist.`
        : `the status of pod readiness gate "${gate}" is not "True", but ${status}`,
    };
  }
  return { status: "True" };
}
