import { assertEquals } from "../../tests/support/assert.ts";
import { endpointSlice } from "../../tests/support/kube_fixtures.ts";
import type { KubeApi } from "../kube/api.ts";
import { memoryLogger } from "../log.ts";
import { endpointSlicesPath, kubernetesDiscovery } from "./kubernetes.ts";
import type { Endpoint } from "./types.ts";

/** A KubeApi whose list answers `items` once `release()` is called, and whose watch we write to. */
function scriptedApi(items: unknown[]) {
  const listed = Promise.withResolvers<void>();
  const watch = new TransformStream<Uint8Array, Uint8Array>();
  const writer = watch.writable.getWriter();
  const paths: string[] = [];
  const api: KubeApi = {
    defaultNamespace: undefined,
    async getJson(path) {
      paths.push(path);
      await listed.promise;
      return { kind: "EndpointSliceList", metadata: { resourceVersion: "615" }, items };
    },
    openStream(path) {
      paths.push(path);
      return Promise.resolve(new Response(watch.readable));
    },
  };
  const send = (type: string, object: unknown) =>
    void writer.write(new TextEncoder().encode(JSON.stringify({ type, object }) + "\n"));
  return { api, paths, release: () => listed.resolve(), send, end: () => writer.close() };
}

const slice = (ips: number[], port = 8080) =>
  endpointSlice("backend-service-abc", {
    namespace: "shop",
    service: "backend-service",
    pods: ips.map((n) => ({ name: `pod-${n}`, ip: `10.0.0.${n}` })),
    port: { name: "http", port },
  });

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 2));
}

Deno.test("kubernetesDiscovery() delivers its first snapshot only after the first list", async () => {
  const script = scriptedApi([slice([1, 2])]);
  const snapshots: Array<readonly Endpoint[]> = [];
  const discovery = kubernetesDiscovery({
    api: script.api,
    namespace: "shop",
    serviceName: "backend-service",
    backendPort: "http",
    logger: memoryLogger(),
  });
  discovery.start((endpoints) => snapshots.push(endpoints));
  await until(() => script.paths.length === 1);
  assertEquals(snapshots, []);
  assertEquals(
    script.paths[0],
    `${endpointSlicesPath("shop")}?labelSelector=kubernetes.io%2Fservice-name%3Dbackend-service`,
  );
  script.release();
  await until(() => snapshots.length === 1);
  assertEquals(snapshots[0], [{ address: "10.0.0.1:8080" }, { address: "10.0.0.2:8080" }]);
  script.end();
  await discovery.stop();
});

Deno.test("kubernetesDiscovery() skips events that leave the routable set unchanged", async () => {
  const script = scriptedApi([slice([1, 2])]);
  script.release();
  const snapshots: Array<readonly Endpoint[]> = [];
  const discovery = kubernetesDiscovery({
    api: script.api,
    namespace: "shop",
    serviceName: "backend-service",
    backendPort: 8080,
    logger: memoryLogger(),
  });
  discovery.start((endpoints) => snapshots.push(endpoints));
  const same = slice([1, 2]);
  same.endpoints[0].nodeName = "another-node"; // a change the balancer does not care about
  script.send("MODIFIED", same);
  script.send("MODIFIED", slice([1, 2, 3]));
  await until(() => snapshots.length === 2);
  assertEquals(snapshots.map((s) => s.length), [2, 3]);
  script.end();
  await discovery.stop();
});

Deno.test("kubernetesDiscovery() logs once that a slice lacks the backend port", async () => {
  const script = scriptedApi([slice([1], 9090)]);
  script.release();
  const logger = memoryLogger();
  const snapshots: Array<readonly Endpoint[]> = [];
  const discovery = kubernetesDiscovery({
    api: script.api,
    namespace: "shop",
    serviceName: "backend-service",
    backendPort: 8080,
    logger,
  });
  discovery.start((endpoints) => snapshots.push(endpoints));
  script.send("MODIFIED", slice([1, 2], 9090));
  script.send("MODIFIED", slice([1, 2, 3], 8080));
  await until(() => snapshots.length === 2);
  assertEquals(snapshots, [[], [1, 2, 3].map((n) => ({ address: `10.0.0.${n}:8080` }))]);
  const warnings = logger.lines.filter((l) => l.msg === "endpointslice_unusable");
  assertEquals(warnings.map((l) => l.detail), [
    "EndpointSlice backend-service-abc: no TCP port 8080 (ports: http=9090/TCP)",
  ]);
  script.end();
  await discovery.stop();
});
