import { assert, assertEquals, assertRejects } from "@std/assert";
import { FakeCluster, fixture, memoryKube, statusError } from "../../tests/support/clb_kube.ts";
import { createDesiredReader, DesiredReadError, desiredTargets, readPodSet } from "./desired.ts";
import type { BackendRef } from "./types.ts";

const backend: BackendRef = {
  namespace: "fixtures",
  deployment: "backend",
  port: 8080,
  weight: 10,
};

Deno.test("readPodSet() reads the real API server's Deployment, ReplicaSets and pods", async () => {
  const kube = memoryKube((path) => {
    if (path === "/apis/apps/v1/namespaces/fixtures/deployments/backend") {
      return fixture("get-deployment.json");
    }
    if (path.startsWith("/apis/apps/v1/namespaces/fixtures/replicasets?")) {
      return fixture("list-replicasets.json");
    }
    if (path.startsWith("/api/v1/namespaces/fixtures/pods?")) return fixture("list-pods.json");
    return statusError(404, path);
  });
  const set = await readPodSet(kube, "fixtures", "backend");
  assertEquals(set.pods, [
    { name: "backend-86d8cb5f9-fx6ft", ip: "10.244.1.1", draining: false },
    { name: "backend-86d8cb5f9-jklls", ip: "10.244.1.5", draining: false },
  ]);
  const selector = encodeURIComponent("app=backend,tier in (api,web)");
  assertEquals(kube.paths.slice(1).sort(), [
    `/api/v1/namespaces/fixtures/pods?labelSelector=${selector}`,
    `/apis/apps/v1/namespaces/fixtures/replicasets?labelSelector=${selector}`,
  ]);
  assertEquals(desiredTargets(set.pods, backend).map((t) => `${t.ip}:${t.port}/${t.weight}`), [
    "10.244.1.1:8080/10",
    "10.244.1.5:8080/10",
  ]);
});

Deno.test("readPodSet() keeps only Running, Ready pods with an IP (the original took any podIP)", async () => {
  const cluster = new FakeCluster();
  cluster.addDeployment("shop", "web", [
    { name: "ok", ip: "10.0.0.1" },
    { name: "not-ready", ip: "10.0.0.2", ready: false },
    { name: "pending", ip: "10.0.0.3", phase: "Pending" },
    { name: "succeeded", ip: "10.0.0.4", phase: "Succeeded" },
    { name: "no-ip", ip: null },
  ]);
  const set = await readPodSet(cluster.kube(), "shop", "web");
  assertEquals(set.pods.map((p) => p.name), ["ok"]);
});

Deno.test("readPodSet() honours matchExpressions (the original ignored them)", async () => {
  const cluster = new FakeCluster();
  cluster.addDeployment("shop", "web", [
    { name: "web-tier", ip: "10.0.0.1" },
    { name: "batch-tier", ip: "10.0.0.2", labels: { app: "web", tier: "batch" } },
    { name: "no-tier", ip: "10.0.0.3", labels: { app: "web" } },
  ]);
  // The fake ignores labelSelector, as a permissive server would: filtering must happen here too.
  const set = await readPodSet(cluster.kube(), "shop", "web");
  assertEquals(set.pods.map((p) => p.name), ["web-tier"]);
});

Deno.test("readPodSet() keeps only pods owned through a ReplicaSet of this Deployment", async () => {
  const cluster = new FakeCluster();
  const web = cluster.addDeployment("shop", "web", [{ name: "mine", ip: "10.0.0.1" }]);
  // Same labels, but owned by a ReplicaSet of another Deployment (or by none we know).
  web.pods.push({ name: "stray", ip: "10.0.0.9", ownerUid: "some-other-replicaset" });
  const other = cluster.addDeployment("shop", "web-canary", [{ name: "canary", ip: "10.0.0.5" }]);
  other.selector = web.selector;
  other.labels = web.labels;
  const set = await readPodSet(cluster.kube(), "shop", "web");
  assertEquals(set.pods.map((p) => p.name), ["mine"]);
});

Deno.test("desiredTargets() gives a terminating pod that still runs weight 0, ready or not", async () => {
  const cluster = new FakeCluster();
  cluster.addDeployment("shop", "web", [
    { name: "a", ip: "10.0.0.1" },
    { name: "b", ip: "10.0.0.2", terminating: true },
    { name: "c", ip: "10.0.0.3", terminating: true, ready: false },
  ]);
  const set = await readPodSet(cluster.kube(), "shop", "web");
  const targets = desiredTargets(set.pods, { ...backend, weight: 30 });
  assertEquals(targets.map((t) => [t.pod, t.weight, t.draining]), [
    ["a", 30, false],
    ["b", 0, true],
    ["c", 0, true],
  ]);
});

Deno.test("desiredTargets() makes one target per IP and port, an active pod beating a draining one", () => {
  const targets = desiredTargets([
    { name: "old", ip: "10.0.0.1", draining: true },
    { name: "new", ip: "10.0.0.1", draining: false },
  ], backend);
  assertEquals(targets.map((t) => [t.pod, t.weight]), [["new", 10]]);
});

Deno.test("readPodSet() fails with the reason when the Deployment cannot be read", async () => {
  const cases: Array<[string, 403 | 404 | 500, string, RegExp]> = [
    [
      "/apis/apps/v1/namespaces/shop/deployments/",
      404,
      "not_found",
      /Deployment shop\/web not found/,
    ],
    ["/apis/apps/v1/namespaces/shop/deployments/", 403, "forbidden", /forbidden/],
    ["/api/v1/namespaces/shop/pods", 500, "api_error", /cannot read the pods of shop\/web/],
  ];
  for (const [prefix, status, reason, message] of cases) {
    const cluster = new FakeCluster();
    cluster.addDeployment("shop", "web", [{ name: "a", ip: "10.0.0.1" }]);
    cluster.failures.set(prefix, status);
    const error = await assertRejects(
      () => readPodSet(cluster.kube(), "shop", "web"),
      DesiredReadError,
    );
    assertEquals(error.reason, reason);
    assert(message.test(error.message), error.message);
  }
});

Deno.test("createDesiredReader() reads a Deployment once however many rules it feeds", async () => {
  const cluster = new FakeCluster();
  cluster.addDeployment("shop", "web", [{ name: "a", ip: "10.0.0.1" }]);
  const kube = cluster.kube();
  const read = createDesiredReader(kube);
  const ref = { namespace: "shop", deployment: "web", port: 80, weight: 10 };
  await Promise.all([read(ref), read({ ...ref, port: 81 }), read(ref)]);
  assertEquals(kube.paths.filter((p) => p.includes("/deployments/")).length, 1);
});

Deno.test("readPodSet() registers a pod gated on podgate's condition by ContainersReady, not Ready", async () => {
  const gate = "podgate.io/clb-registered";
  const cluster = new FakeCluster();
  cluster.addDeployment("shop", "web", [
    { name: "gated", ip: "10.0.0.1", gates: [gate] },
    { name: "gated-not-ready", ip: "10.0.0.2", gates: [gate], ready: false },
    { name: "two-gates", ip: "10.0.0.3", gates: [gate, "example.com/other"] },
    { name: "other-gate-only", ip: "10.0.0.4", gates: ["example.com/other"] },
    {
      name: "gated-open",
      ip: "10.0.0.5",
      gates: [gate],
      conditions: { [gate]: { status: "True", reason: "TargetRegistered" } },
    },
    { name: "gated-terminating", ip: "10.0.0.6", gates: [gate], terminating: true },
  ]);
  const set = await readPodSet(cluster.kube(), "shop", "web");
  assertEquals(set.pods.map((p) => [p.name, p.draining]), [
    ["gated", false],
    ["gated-open", false],
    ["gated-terminating", true],
  ]);
  assertEquals(set.gated.map((p) => [p.name, p.eligible, p.condition?.status ?? null]), [
    ["gated", true, null],
    ["gated-not-ready", false, null],
    ["gated-open", true, "True"],
    ["two-gates", false, null],
  ]);
  assertEquals(set.gated[0]?.uid, "pod-00000000-0000-4000-8000-000000000001-gated");
  assertEquals(set.gated[0]?.namespace, "shop");
  // TKE's condition type instead of podgate's: the same pods, another gate.
  const tke = await readPodSet(cluster.kube(), "shop", "web", {
    gateType: "example.com/other",
  });
  assertEquals(tke.pods.map((p) => p.name), ["gated-open", "gated-terminating", "other-gate-only"]);
});
