// The binary with `routesFrom: gateway`: HTTPRoutes read from the fake API server through a
// kind-style kubeconfig, the traffic following a route as it is added and changed, and the
// route's status written back, as `kubectl get httproute` would show it.
import { assertEquals } from "../support/assert.ts";
import { eventually, FakeCluster, NAMESPACE, SERVICE } from "../support/fake_kube_cluster.ts";
import { gateway, httpRoute, service } from "../support/gateway_fixtures.ts";
import { spawnPodgate } from "../support/process.ts";
import { rawRequest } from "../support/raw_http.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const label = Deno.env.get("PODGATE_BIN") ? "[binary]" : "[deno]";

async function answer(port: number, host: string): Promise<string> {
  const res = await rawRequest(port, `GET /ping HTTP/1.1\r\nHost: ${host}\r\nConnection: close`);
  return res.status === 200 ? JSON.parse(res.text()).podname : `status ${res.status}`;
}

Deno.test(
  `${label} routesFrom gateway: an HTTPRoute routes traffic and gets its status`,
  opts,
  async () => {
    const cluster = await FakeCluster.start();
    cluster.api.upsert("gateways", gateway({ namespace: NAMESPACE, name: "podgate" }));
    cluster.api.upsert(
      "services",
      service({
        namespace: NAMESPACE,
        name: SERVICE,
        ports: [{ name: "http", port: 80, targetPort: "http" }],
      }),
    );
    const pods = cluster.scale(2);
    const route = (hostnames: string[]) =>
      httpRoute({
        namespace: NAMESPACE,
        name: "shop",
        parentRefs: [{ name: "podgate" }],
        hostnames,
        rules: [{ backendRefs: [{ name: SERVICE, port: 80 }] }],
      });
    cluster.api.upsert("httproutes", route(["shop.test"]));
    const dir = await Deno.makeTempDir({ prefix: "podgate-gw-" });
    const path = `${dir}/config.json`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        port: 0,
        hostname: "127.0.0.1",
        accessLog: false,
        routesFrom: "gateway",
        gateway: { name: "podgate", statusRetryMs: 50 },
        kubernetes: {
          kubeconfig: await cluster.kubeconfig(),
          backoffInitialMs: 20,
          backoffMaxMs: 200,
        },
      }),
    );
    const proxy = spawnPodgate(["proxy", "--config", path], { env: { NAMESPACE: "" } });
    try {
      const port = await proxy.port();
      await eventually(async () =>
        assertEquals(pods.includes(await answer(port, "shop.test")), true)
      );
      assertEquals(await answer(port, "www.test"), "status 404");
      cluster.api.upsert("httproutes", route(["www.test"]));
      await eventually(async () =>
        assertEquals(pods.includes(await answer(port, "www.test")), true)
      );
      assertEquals(await answer(port, "shop.test"), "status 404");
      await eventually(() => {
        const stored = cluster.api.get("httproutes", NAMESPACE, "shop");
        const conditions = stored?.status?.parents?.[0]?.conditions?.map((
          c: { type: string; status: string },
        ) => `${c.type}=${c.status}`);
        assertEquals(conditions, ["Accepted=True", "ResolvedRefs=True"]);
      });
    } finally {
      await proxy.stop();
      await cluster.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
