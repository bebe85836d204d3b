// The pods of the base: hardened alike, the backend with its Downward API identity, the proxy with
// its service account, its probes and a grace period that outlasts its drain.
import { assert, assertEquals } from "@std/assert";
import { backendConfigSchema, loadConfig, proxyConfigSchema } from "../../src/config/mod.ts";
import {
  baseObjects,
  configJson,
  type Container,
  type Deployment,
  deployments,
  effectiveSecurity,
  env,
  portNumber,
  runsProxy,
} from "./load_manifests.ts";

const UID = 1001;
/** After the drain deadline the proxy force-closes what is left for up to 1 s (src/proxy/server.ts). */
const FORCED_CLOSE_MS = 1000;

async function pods(): Promise<Array<{ name: string; deployment: Deployment }>> {
  const found = deployments(await baseObjects()).map((d) => ({
    name: d.metadata.name,
    deployment: d,
  }));
  assert(found.length >= 2, "the base runs the backend and the proxy");
  return found;
}

function eachContainer(d: Deployment): Container[] {
  const spec = d.spec.template.spec;
  return [...spec.initContainers, ...spec.containers];
}

function theDeployment(all: Array<{ name: string; deployment: Deployment }>, name: string) {
  const hit = all.find((p) => p.name === name)?.deployment;
  assert(hit, `the base has no Deployment ${name}`);
  return hit;
}

Deno.test("every pod spec sets enableServiceLinks: false", async () => {
  for (const { name, deployment } of await pods()) {
    assertEquals(deployment.spec.template.spec.enableServiceLinks, false, name);
  }
});

Deno.test("every container runs as UID/GID 1001, non-root, read-only, unprivileged, no capabilities", async () => {
  for (const { name, deployment } of await pods()) {
    const spec = deployment.spec.template.spec;
    for (const c of eachContainer(deployment)) {
      const where = `${name}/${c.name}`;
      const s = effectiveSecurity(spec, c);
      assertEquals(s.runAsNonRoot, true, `${where}: runAsNonRoot`);
      assertEquals(s.runAsUser, UID, `${where}: runAsUser`);
      assertEquals(s.runAsGroup, UID, `${where}: runAsGroup`);
      assertEquals(s.readOnlyRootFilesystem, true, `${where}: readOnlyRootFilesystem`);
      assertEquals(s.allowPrivilegeEscalation, false, `${where}: allowPrivilegeEscalation`);
      assertEquals(s.drop, ["ALL"], `${where}: capabilities.drop`);
      assertEquals(s.add, [], `${where}: capabilities.add`);
      assertEquals(s.seccompProfile, "RuntimeDefault", `${where}: seccompProfile`);
    }
  }
});

Deno.test("every container sets CPU and memory requests and limits", async () => {
  for (const { name, deployment } of await pods()) {
    for (const c of eachContainer(deployment)) {
      for (const kind of ["requests", "limits"] as const) {
        const set = c.resources?.[kind] ?? {};
        assert(set.cpu !== undefined, `${name}/${c.name}: no cpu ${kind}`);
        assert(set.memory !== undefined, `${name}/${c.name}: no memory ${kind}`);
      }
    }
  }
});

Deno.test("every container can write to /tmp only, through an emptyDir", async () => {
  for (const { name, deployment } of await pods()) {
    const spec = deployment.spec.template.spec;
    for (const c of eachContainer(deployment)) {
      const mount = c.volumeMounts.find((m) => m.mountPath === "/tmp");
      assert(mount, `${name}/${c.name} mounts nothing at /tmp`);
      const volume = spec.volumes.find((v) => v.name === mount.name);
      assert(volume?.emptyDir, `${name}/${c.name}: /tmp is not an emptyDir`);
      for (const other of c.volumeMounts.filter((m) => m !== mount)) {
        assertEquals(other.readOnly, true, `${name}/${c.name}: ${other.mountPath} is writable`);
      }
    }
  }
});

Deno.test("every container runs the image scripts/kind-up builds and loads", async () => {
  const kindUp = await Deno.readTextFile(new URL("../../scripts/kind-up", import.meta.url));
  const built = /^image=(\S+)/m.exec(kindUp)?.[1];
  assertEquals(built, "podgate:dev");
  for (const { name, deployment } of await pods()) {
    for (const c of eachContainer(deployment)) {
      assertEquals(c.image, built, `${name}/${c.name}`);
      // A locally loaded image must not be pulled: a registry does not have it.
      assert(c.imagePullPolicy !== "Always", `${name}/${c.name} would pull ${built}`);
    }
  }
});

Deno.test("the backend runs 3 replicas with its Downward API identity and no API token", async () => {
  const backend = theDeployment(await pods(), "backend");
  assertEquals(backend.spec.replicas, 3);
  const spec = backend.spec.template.spec;
  assertEquals(spec.automountServiceAccountToken, false);
  const c = spec.containers[0]!;
  assertEquals(c.args, ["backend"]);
  const fields: Record<string, string> = {
    POD_NAME: "metadata.name",
    POD_IP: "status.podIP",
    NAMESPACE: "metadata.namespace",
    NODE_NAME: "spec.nodeName",
  };
  for (const [name, fieldPath] of Object.entries(fields)) {
    assertEquals(env(c, name)?.valueFrom?.fieldRef?.fieldPath, fieldPath, name);
  }
});

Deno.test("every Deployment running the proxy spells out args [proxy], its service account and NAMESPACE", async () => {
  const proxies = (await pods()).filter(({ deployment }) =>
    deployment.spec.template.spec.containers.some(runsProxy)
  );
  assert(proxies.length > 0, "no Deployment runs the proxy");
  for (const { name, deployment } of proxies) {
    const spec = deployment.spec.template.spec;
    assert(spec.serviceAccountName, `${name}: serviceAccountName`);
    assert(spec.serviceAccountName !== "default", `${name} runs as the default service account`);
    assert(spec.automountServiceAccountToken !== false, `${name} gets no token to watch with`);
    for (const c of spec.containers.filter(runsProxy)) {
      assertEquals(c.args, ["proxy"], `${name}/${c.name}`);
      assertEquals(env(c, "NAMESPACE")?.valueFrom?.fieldRef?.fieldPath, "metadata.namespace");
    }
  }
});

Deno.test("the proxy probes /health for liveness and /ready for readiness on the port it serves", async () => {
  const objects = await baseObjects();
  const { config } = loadConfig(proxyConfigSchema, {
    file: configJson(objects, "podgate-proxy-config"),
  });
  const proxy = theDeployment(await pods(), "podgate-proxy");
  const c = proxy.spec.template.spec.containers[0]!;
  const adminPort = config.adminPort ?? config.port;
  const live = c.livenessProbe?.httpGet;
  const ready = c.readinessProbe?.httpGet;
  assertEquals(live?.path, "/health");
  assertEquals(ready?.path, "/ready");
  assertEquals(live && portNumber(c, live.port), adminPort, "liveness port");
  assertEquals(ready && portNumber(c, ready.port), adminPort, "readiness port");
  assertEquals(portNumber(c, config.port), config.port, "the proxy's port is a container port");
});

Deno.test("the proxy's grace period outlasts preStop, drain delay, drain deadline and forced close", async () => {
  const objects = await baseObjects();
  const { config } = loadConfig(proxyConfigSchema, {
    file: configJson(objects, "podgate-proxy-config"),
  });
  const spec = theDeployment(await pods(), "podgate-proxy").spec.template.spec;
  const preStopSeconds = spec.containers[0]!.lifecycle?.preStop?.sleep?.seconds ?? 0;
  // Draining must start after endpoints have had time to drop the pod: a preStop or a drain delay.
  assert(preStopSeconds + config.timeouts.drainDelayMs > 0, "no preStop and no drainDelayMs");
  const { drainDelayMs, drainMs } = config.timeouts;
  const needed = preStopSeconds + (drainDelayMs + drainMs + FORCED_CLOSE_MS) / 1000;
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  assert(grace > needed, `terminationGracePeriodSeconds ${grace} must exceed ${needed} s`);
});

Deno.test("the backend's grace period outlasts its preStop and drain deadline", async () => {
  const objects = await baseObjects();
  const { config } = loadConfig(backendConfigSchema, {
    file: configJson(objects, "backend-config"),
  });
  const spec = theDeployment(await pods(), "backend").spec.template.spec;
  const preStopSeconds = spec.containers[0]!.lifecycle?.preStop?.sleep?.seconds ?? 0;
  const needed = preStopSeconds + config.drainMs / 1000;
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  assert(grace > needed, `terminationGracePeriodSeconds ${grace} must exceed ${needed} s`);
});
