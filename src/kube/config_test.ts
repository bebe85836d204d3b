import { assertEquals, assertMatch, assertRejects } from "../../tests/support/assert.ts";
import { testPki, writeKubeconfig } from "../../tests/support/certs.ts";
import { runtime } from "../runtime/mod.ts";
import { resolveKubeConnection, resolveNamespace } from "./config.ts";

const files = { readTextFile: runtime.readTextFile, fileExists: runtime.fileExists };

async function serviceAccountDir(namespace?: string): Promise<string> {
  const pki = await testPki();
  const dir = await Deno.makeTempDir({ prefix: "podgate-sa-" });
  await Deno.writeTextFile(`${dir}/token`, "sa-token");
  await Deno.writeTextFile(`${dir}/ca.crt`, pki.ca);
  if (namespace) await Deno.writeTextFile(`${dir}/namespace`, namespace);
  return dir;
}

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];
const POD = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };

Deno.test("resolveKubeConnection() uses the service account in a pod", async () => {
  const dir = await serviceAccountDir("shop");
  const { connection, defaultNamespace } = await resolveKubeConnection({
    env: envOf({ ...POD, HOME: "/nonexistent" }),
    serviceAccountDir: dir,
    ...files,
  });
  assertEquals([connection.source, connection.server, defaultNamespace], [
    "in-cluster",
    "https://10.96.0.1:443",
    "shop",
  ]);
});

Deno.test("resolveKubeConnection() prefers the configured kubeconfig, then KUBECONFIG, to the pod's account", async () => {
  const pki = await testPki();
  const dir = await serviceAccountDir();
  const configured = await writeKubeconfig({
    server: "https://configured:6443",
    pki,
    namespace: "a",
  });
  const listed = await writeKubeconfig({ server: "https://listed:6443", pki, namespace: "b" });
  const env = envOf({ ...POD, KUBECONFIG: `/nonexistent:${listed}` });
  const first = await resolveKubeConnection({
    kubeconfig: configured,
    env,
    serviceAccountDir: dir,
    ...files,
  });
  assertEquals([first.connection.server, first.defaultNamespace], ["https://configured:6443", "a"]);
  const second = await resolveKubeConnection({ env, serviceAccountDir: dir, ...files });
  assertEquals([second.connection.server, second.defaultNamespace], ["https://listed:6443", "b"]);
});

Deno.test("resolveKubeConnection() takes the service account's namespace over the kubeconfig context's", async () => {
  const pki = await testPki();
  const dir = await serviceAccountDir("pod-namespace");
  const path = await writeKubeconfig({ server: "https://listed:6443", pki, namespace: "b" });
  const { defaultNamespace } = await resolveKubeConnection({
    env: envOf({ KUBECONFIG: path }),
    serviceAccountDir: dir,
    ...files,
  });
  assertEquals(defaultNamespace, "pod-namespace");
});

Deno.test("resolveKubeConnection() falls back to ~/.kube/config outside a pod", async () => {
  const pki = await testPki();
  const home = await Deno.makeTempDir({ prefix: "podgate-home-" });
  await Deno.mkdir(`${home}/.kube`);
  const path = await writeKubeconfig({ server: "https://laptop:6443", pki });
  await Deno.copyFile(path, `${home}/.kube/config`);
  const { connection, defaultNamespace } = await resolveKubeConnection({
    env: envOf({ HOME: home }),
    serviceAccountDir: "/nonexistent",
    ...files,
  });
  assertEquals([connection.source, connection.server, defaultNamespace], [
    "kubeconfig",
    "https://laptop:6443",
    undefined,
  ]);
});

Deno.test("resolveKubeConnection() says where it looked when there is no cluster to talk to", async () => {
  const error = await assertRejects(() =>
    resolveKubeConnection({
      env: envOf({ HOME: "/nonexistent" }),
      serviceAccountDir: "/nonexistent/sa",
      ...files,
    })
  );
  assertMatch(
    error.message,
    /^Cannot find a Kubernetes API server: not in a cluster \(KUBERNETES_SERVICE_HOST unset or no token in \/nonexistent\/sa\), KUBECONFIG unset and no \/nonexistent\/.kube\/config$/,
  );
});

Deno.test("resolveNamespace() takes the config, then NAMESPACE, then the connection's, then default", () => {
  assertEquals(resolveNamespace({ configured: "a", env: "b", connection: "c" }), "a");
  assertEquals(resolveNamespace({ env: "b", connection: "c" }), "b");
  assertEquals(resolveNamespace({ env: " ", connection: "c" }), "c");
  assertEquals(resolveNamespace({}), "default");
});
