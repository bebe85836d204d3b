// The Kubernetes manifests as a whole: every file parses, `kubectl apply -k k8s/` applies exactly
// the base (never the CLB sync), the ConfigMaps pass the commands' own schemas, the Services and the
// RBAC fit the pods they serve.
import { assert, assertEquals } from "@std/assert";
import {
  backendConfigSchema,
  DEFAULT_CONFIG_PATHS,
  loadConfig,
  proxyConfigSchema,
} from "../../src/config/mod.ts";
import {
  baseObjects,
  configJson,
  deployments,
  find,
  K8S,
  type KubeObject,
  kubeObject,
  parseYamlDocuments,
  portNumber,
  readKustomization,
  ROOT,
  runsProxy,
  service,
  yamlFilesUnder,
} from "./load_manifests.ts";

const NAMESPACE = "podgate";
const key = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding"]);

/** What `kubectl apply -k k8s/` must create: the seed's backend and our proxy, nothing more. */
const BASE = [
  "Namespace/podgate",
  "ConfigMap/backend-config",
  "Deployment/backend",
  "Service/backend-service",
  "ConfigMap/podgate-proxy-config",
  "ServiceAccount/podgate-proxy",
  "Role/podgate-proxy",
  "RoleBinding/podgate-proxy",
  "Deployment/podgate-proxy",
  "Service/podgate-proxy",
  "PodDisruptionBudget/podgate-proxy",
].sort();

async function hasKubectl(): Promise<boolean> {
  try {
    const cmd = new Deno.Command("kubectl", {
      args: ["version", "--client"],
      stdout: "null",
      stderr: "null",
    });
    return (await cmd.output()).success;
  } catch {
    return false;
  }
}
const kubectl = await hasKubectl();

/** The CLB sync's objects, when its kustomization exists: none may leak into the base. */
async function clbSyncObjects(): Promise<KubeObject[]> {
  const dir = new URL("clb-sync/", K8S);
  try {
    await Deno.stat(dir);
  } catch {
    return [];
  }
  const objects: KubeObject[] = [];
  for (const path of await yamlFilesUnder(dir)) {
    const docs = parseYamlDocuments(path, await Deno.readTextFile(new URL(path, dir)));
    for (const doc of docs) {
      const parsed = kubeObject.safeParse(doc);
      if (parsed.success) objects.push(parsed.data);
    }
  }
  return objects;
}

Deno.test("every YAML file under k8s/ parses into Kubernetes objects", async () => {
  const files = await yamlFilesUnder(K8S);
  assert(files.includes("kustomization.yaml"), "k8s/kustomization.yaml is missing");
  for (const path of files) {
    const text = await Deno.readTextFile(new URL(path, K8S));
    const docs = parseYamlDocuments(`k8s/${path}`, text);
    assert(docs.length > 0, `k8s/${path} holds no document`);
    // The CLB sync's files belong to its own suite (a rules file there is no Kubernetes object).
    if (path.endsWith("kustomization.yaml") || path.startsWith("clb-sync/")) continue;
    for (const [i, doc] of docs.entries()) {
      const parsed = kubeObject.safeParse(doc);
      assert(parsed.success, `k8s/${path} document ${i + 1}: ${parsed.error}`);
    }
  }
});

/** Directories that are not the base: the CLB sync, and the Gateway routes component. */
const NOT_BASE = ["clb-sync/", "proxy-gateway/"];

Deno.test("k8s/kustomization.yaml lists every base manifest, nothing of the CLB sync or the Gateway component", async () => {
  const { resources, namespace } = await readKustomization();
  assertEquals(namespace, NAMESPACE);
  for (const path of resources) {
    assert(
      !NOT_BASE.some((d) => path.startsWith(d.slice(0, -1))) && !path.includes(".."),
      `the base must not list ${path}`,
    );
  }
  const manifests = (await yamlFilesUnder(K8S))
    .filter((p) => !NOT_BASE.some((d) => p.startsWith(d)) && p !== "kustomization.yaml");
  assertEquals([...resources].sort(), manifests, "a manifest under k8s/ is missing from the base");
});

Deno.test("the base holds exactly the namespace, the backend and the proxy", async () => {
  const objects = await baseObjects();
  assertEquals(objects.map(key).sort(), BASE);
  for (const o of objects) {
    if (!CLUSTER_SCOPED.has(o.kind)) assertEquals(o.metadata.namespace, NAMESPACE, key(o));
  }
});

Deno.test({
  name: kubectl
    ? "kubectl kustomize k8s/ renders the base and no CLB sync object"
    : "kubectl kustomize k8s/ renders the base (SKIPPED: kubectl is not on PATH)",
  ignore: !kubectl,
  async fn() {
    const out = await new Deno.Command("kubectl", { args: ["kustomize", "k8s/"], cwd: ROOT })
      .output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert(out.success, `kubectl kustomize k8s/ failed: ${stderr}`);
    const rendered = parseYamlDocuments(
      "kubectl kustomize k8s/",
      new TextDecoder().decode(out.stdout),
    )
      .map((doc) => kubeObject.parse(doc));
    assertEquals(rendered.map(key).sort(), BASE);
    for (const o of rendered) {
      if (!CLUSTER_SCOPED.has(o.kind)) assertEquals(o.metadata.namespace, NAMESPACE, key(o));
    }
    const clb = new Set((await clbSyncObjects()).map(key));
    const leaked = rendered.map(key).filter((k) => clb.has(k));
    assertEquals(leaked, [], "CLB sync objects in the base");
    assert(!rendered.some((o) => o.kind === "CronJob" || o.kind === "Secret"), "no CLB sync kinds");
  },
});

Deno.test("the backend ConfigMap's config.json passes the backend's own schema", async () => {
  const objects = await baseObjects();
  const { config } = loadConfig(backendConfigSchema, {
    file: configJson(objects, "backend-config"),
  });
  assertEquals(config.port, 8080);
  assertEquals(config.serviceName, "backend");
});

Deno.test("the proxy ConfigMap's config.json passes the proxy's own schema, discovering in Kubernetes", async () => {
  const objects = await baseObjects();
  const { config } = loadConfig(proxyConfigSchema, {
    file: configJson(objects, "podgate-proxy-config"),
  });
  assertEquals(config.discovery, "kubernetes");
  assertEquals(config.port, 8080);
  // Left to the NAMESPACE env (Downward API), so the base works in whatever namespace it lands.
  assertEquals(config.namespace, undefined);
});

Deno.test("the proxy config names the backend Service and a port its pods serve", async () => {
  const objects = await baseObjects();
  const { config } = loadConfig(proxyConfigSchema, {
    file: configJson(objects, "podgate-proxy-config"),
  });
  assert(config.backendServiceName);
  const svc = service.parse(find(objects, "Service", config.backendServiceName));
  const backend = deployments(objects).find((d) =>
    Object.entries(svc.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v)
  );
  assert(backend, `no Deployment's pods match Service ${config.backendServiceName}`);
  const containers = backend.spec.template.spec.containers;
  // EndpointSlices carry the pods' target port (by number) and the Service port's name.
  const byNumber = containers.some((c) => portNumber(c, config.backendPort) !== undefined);
  const byName = svc.spec.ports.some((p) => p.name === config.backendPort);
  assert(byNumber || byName, `backendPort ${config.backendPort} is not served by the backend pods`);
});

Deno.test("each command's ConfigMap is mounted where the command looks for config.json", async () => {
  assert(DEFAULT_CONFIG_PATHS.includes("/etc/config/config.json"));
  const objects = await baseObjects();
  const expected: Record<string, string> = {
    backend: "backend-config",
    "podgate-proxy": "podgate-proxy-config",
  };
  for (const d of deployments(objects)) {
    const spec = d.spec.template.spec;
    const volume = spec.volumes.find((v) => v.configMap?.name === expected[d.metadata.name]);
    assert(volume, `${d.metadata.name} does not mount ConfigMap ${expected[d.metadata.name]}`);
    for (const c of spec.containers) {
      const volumeName: string = volume.name;
      const mount = c.volumeMounts.find((m) => m.name === volumeName);
      assertEquals(mount?.mountPath, "/etc/config", `${d.metadata.name}/${c.name}`);
    }
  }
});

Deno.test("the backend and proxy Services are NodePorts 30080 and 30081 onto their pods", async () => {
  const objects = await baseObjects();
  const wanted: Array<[string, string, number]> = [
    ["backend-service", "backend", 30080],
    ["podgate-proxy", "podgate-proxy", 30081],
  ];
  for (const [svcName, deployName, nodePort] of wanted) {
    const svc = service.parse(find(objects, "Service", svcName));
    const d = deployments(objects).find((x) => x.metadata.name === deployName);
    assert(d);
    assertEquals(svc.spec.type, "NodePort", svcName);
    assertEquals(svc.spec.ports.map((p) => p.nodePort), [nodePort], svcName);
    for (const [k, v] of Object.entries(svc.spec.selector)) {
      assertEquals(d.spec.template.metadata.labels[k], v, `${svcName} selects ${k}=${v}`);
    }
    const target = svc.spec.ports[0]!.targetPort ?? svc.spec.ports[0]!.port;
    const c = d.spec.template.spec.containers[0]!;
    assert(portNumber(c, target), `${svcName} targets port ${target}, which ${deployName} lacks`);
  }
});

Deno.test("the Role grants exactly get, list and watch on discovery.k8s.io endpointslices", async () => {
  const objects = await baseObjects();
  const roles = objects.filter((o) => o.kind === "Role" || o.kind === "ClusterRole");
  assertEquals(roles.map(key), ["Role/podgate-proxy"]);
  const rules = (roles[0] as KubeObject & { rules: unknown }).rules;
  assertEquals(rules, [{
    apiGroups: ["discovery.k8s.io"],
    resources: ["endpointslices"],
    verbs: ["get", "list", "watch"],
  }]);
});

Deno.test("the RoleBinding binds that Role to the service account the proxy runs as", async () => {
  const objects = await baseObjects();
  const bindings = objects.filter((o) => o.kind.endsWith("RoleBinding"));
  assertEquals(bindings.map(key), ["RoleBinding/podgate-proxy"]);
  const binding = bindings[0] as KubeObject & { roleRef: unknown; subjects: unknown };
  assertEquals(binding.roleRef, {
    apiGroup: "rbac.authorization.k8s.io",
    kind: "Role",
    name: "podgate-proxy",
  });
  const proxies = deployments(objects).filter((d) =>
    d.spec.template.spec.containers.some(runsProxy)
  );
  assert(proxies.length > 0, "no Deployment runs the proxy");
  for (const d of proxies) {
    const account = d.spec.template.spec.serviceAccountName;
    assert(account, `${d.metadata.name} has no serviceAccountName`);
    find(objects, "ServiceAccount", account);
    assertEquals(binding.subjects, [{
      kind: "ServiceAccount",
      name: account,
      namespace: NAMESPACE,
    }]);
  }
});

Deno.test("k8s/proxy-gateway grants exactly what HTTPRoutes need, and its config asks for them", async () => {
  const read = async (path: string) =>
    parseYamlDocuments(`k8s/${path}`, await Deno.readTextFile(new URL(path, K8S)));
  const [role, binding] = await read("proxy-gateway/rbac.yaml") as KubeObject[];
  assertEquals(role!.kind, "ClusterRole");
  // deno-lint-ignore no-explicit-any
  const rules = (role as any).rules.map((r: any) =>
    `${r.apiGroups.join(",")}|${[...r.resources].sort().join(",")}|${[...r.verbs].sort().join(",")}`
  ).sort();
  assertEquals(rules, [
    "discovery.k8s.io|endpointslices|get,list,watch",
    "gateway.networking.k8s.io|gateways,httproutes,referencegrants|get,list,watch",
    "gateway.networking.k8s.io|httproutes/status|patch",
    "|services|get,list,watch",
  ]);
  assertEquals(binding!.kind, "ClusterRoleBinding");
  // deno-lint-ignore no-explicit-any
  assertEquals((binding as any).subjects, [
    { kind: "ServiceAccount", name: "podgate-proxy", namespace: NAMESPACE },
  ]);
  const [patch] = await read("proxy-gateway/configmap-patch.yaml");
  // deno-lint-ignore no-explicit-any
  const text = (patch as any).data["config.json"];
  const { config } = loadConfig(proxyConfigSchema, { file: { path: "config.json", text } });
  assertEquals([config.discovery, config.routesFrom, config.gateway?.name], [
    "kubernetes",
    "gateway",
    "podgate",
  ]);
  // The single-service install keeps its one namespaced Role.
  const base = await baseObjects();
  assertEquals(base.filter((o) => o.kind === "ClusterRole").length, 0);
});
