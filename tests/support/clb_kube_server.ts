// Serves a FakeCluster through the HTTPS fake API server (real TLS, client certificates, list and
// watch), so clb-sync's own Kubernetes client — in-process or in the compiled binary — reads it.
// A PATCH of pods/status lands in the cluster (the readiness gate) and is published at once, as
// the kubelet's Ready follows it; `forbidden` may hold "patch pods/status" to refuse it (RBAC).
import { KubeApiError } from "../../src/kube/api.ts";
import { type TestPki, testPki, writeKubeconfig } from "./certs.ts";
import type { FakeCluster } from "./clb_kube.ts";
import { FakeKubeApi } from "./fake_kube_api.ts";
import { forbiddenStatus } from "./kube_fixtures.ts";

export interface ClusterApi {
  api: FakeKubeApi;
  pki: TestPki;
  /** A kubeconfig (client certificate auth) pointing at the server. */
  kubeconfig: string;
  /** Pushes the cluster's current state: changed objects as MODIFIED, new ones ADDED, gone DELETED. */
  publish(): void;
  close(): Promise<void>;
}

export async function serveCluster(cluster: FakeCluster): Promise<ClusterApi> {
  const pki = await testPki();
  let publish = () => {};
  const api: FakeKubeApi = await FakeKubeApi.start({
    pki,
    onWrite: ({ method, path, contentType, body, user }) => {
      if (method !== "PATCH" || !/\/pods\/[^/]+\/status$/.test(path)) return undefined;
      const namespace = path.split("/")[4] ?? "";
      if (api.forbidden.has("patch pods/status")) {
        return { status: 403, body: forbiddenStatus(user, "patch", "pods/status", "", namespace) };
      }
      const answer = cluster.patch(path, JSON.parse(body), { contentType });
      if (answer instanceof KubeApiError) {
        return {
          status: answer.status,
          body: {
            kind: "Status",
            apiVersion: "v1",
            metadata: {},
            status: "Failure",
            message: answer.message,
            reason: answer.reason,
            code: answer.status,
          },
        };
      }
      publish();
      return { status: 200, body: answer };
    },
  });
  const kubeconfig = await writeKubeconfig({ server: api.url, pki, client: pki.rsaClient });
  const published = new Map<string, string>();
  publish = () => {
    const objects = cluster.objects();
    const seen = new Set<string>();
    for (const [resource, list] of Object.entries(objects)) {
      for (const object of list) {
        const key = `${resource}/${object.metadata.namespace}/${object.metadata.name}`;
        seen.add(key);
        const text = JSON.stringify(object);
        if (published.get(key) === text) continue;
        published.set(key, text);
        api.upsert(resource, object);
      }
    }
    for (const key of [...published.keys()]) {
      if (seen.has(key)) continue;
      const [resource, namespace, name] = key.split("/") as [string, string, string];
      api.remove(resource, namespace, name);
      published.delete(key);
    }
  };
  publish();
  return {
    api,
    pki,
    kubeconfig,
    publish,
    close: async () => {
      await api.close();
      await Deno.remove(kubeconfig.replace(/\/config$/, ""), { recursive: true }).catch(() => {});
    },
  };
}
