// routesFrom: gateway with traffic: the real proxy (config → createSources → startProxy) reading
// HTTPRoutes, the Gateway, ReferenceGrants, Services and EndpointSlices from the fake API server
// over HTTPS, in front of real `podgate backend` pods. A client's requests follow HTTPRoutes as
// they are added, changed and deleted; a cross-namespace backendRef works once a ReferenceGrant
// allows it, and the HTTPRoute's status says so.
import { assert, assertEquals } from "../support/assert.ts";
import { eventually, FakeCluster, NAMESPACE, SERVICE } from "../support/fake_kube_cluster.ts";
import { gateway, httpRoute, referenceGrant, service } from "../support/gateway_fixtures.ts";
import { rawRequest } from "../support/raw_http.ts";
import { loadConfig, proxyConfigSchema } from "../../src/config/mod.ts";
import { createSources } from "../../src/discovery/from_config.ts";
import { memoryLogger } from "../../src/log.ts";
import { type RunningProxy, startProxy } from "../../src/proxy/server.ts";
import { runtime } from "../../src/runtime/mod.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const GATEWAY = { name: "podgate", namespace: NAMESPACE };
const TEAM = "team-a";

async function status(port: number, host: string): Promise<[number, string]> {
  const res = await rawRequest(port, `GET /ping HTTP/1.1\r\nHost: ${host}\r\nConnection: close`);
  return [res.status, res.status === 200 ? JSON.parse(res.text()).podname : res.text()];
}

async function start(cluster: FakeCluster): Promise<RunningProxy> {
  const kubeconfig = await cluster.kubeconfig();
  const text = JSON.stringify({
    port: 0,
    hostname: "127.0.0.1",
    accessLog: false,
    routesFrom: "gateway",
    gateway: { name: GATEWAY.name, statusRetryMs: 50 },
    kubernetes: { kubeconfig, backoffInitialMs: 20, backoffMaxMs: 200 },
  });
  const { config } = loadConfig(proxyConfigSchema, { file: { path: "config.json", text } });
  const logger = memoryLogger();
  const sources = await createSources(config, { runtime, logger, env: () => undefined });
  return await startProxy({ config, runtime, logger, ...sources });
}

function seed(cluster: FakeCluster): void {
  cluster.api.upsert(
    "gateways",
    gateway({
      ...GATEWAY,
      listeners: [{
        name: "http",
        protocol: "HTTP",
        port: 80,
        allowedRoutes: { namespaces: { from: "All" } },
      }],
    }),
  );
  cluster.api.upsert(
    "services",
    service({
      namespace: NAMESPACE,
      name: SERVICE,
      ports: [{ name: "http", port: 80, targetPort: "http" }],
    }),
  );
  cluster.scale(3);
}

const ref = (extra: Record<string, unknown> = {}) => ({ name: SERVICE, port: 80, ...extra });

/** HTTPRoute shop/… in the Gateway's namespace, to the Service, for these hostnames. */
const shopRoute = (hostnames: string[]) =>
  httpRoute({
    namespace: NAMESPACE,
    name: "shop",
    parentRefs: [{ name: GATEWAY.name }],
    hostnames,
    rules: [{ backendRefs: [ref()] }],
  });

Deno.test(
  "gateway routes: traffic follows HTTPRoutes as they are added, changed and deleted",
  opts,
  async () => {
    const cluster = await FakeCluster.start();
    seed(cluster);
    const proxy = await start(cluster);
    try {
      const url = `http://127.0.0.1:${proxy.port}`;
      // Not ready until the routes and their endpoints have arrived.
      await eventually(async () => assertEquals((await fetch(`${url}/ready`)).status, 503));
      cluster.api.upsert("httproutes", shopRoute(["shop.test"]));
      await eventually(async () => assertEquals((await status(proxy.port, "shop.test"))[0], 200));
      assertEquals((await fetch(`${url}/ready`)).status, 200);
      // The dashboard's header says what /ready says: synced and ready over the route's group.
      proxy.dashboard.sample();
      const header = proxy.dashboard.view().proxy;
      assertEquals([header.readiness, header.discovery.synced], ["ready", true]);
      assertEquals((await status(proxy.port, "www.test"))[0], 404);

      // Changed: a new hostname; the old one stops routing.
      cluster.api.upsert("httproutes", shopRoute(["www.test"]));
      await eventually(async () => assertEquals((await status(proxy.port, "www.test"))[0], 200));
      assertEquals((await status(proxy.port, "shop.test"))[0], 404);

      // Deleted: nothing routes, and the Service's watch stops with its last route.
      cluster.api.remove("httproutes", NAMESPACE, "shop");
      await eventually(async () => assertEquals((await status(proxy.port, "www.test"))[0], 404));
      await eventually(() => assertEquals(proxy.routing.groups().length, 0));

      // The status podgate wrote while the route existed.
      const writes = cluster.api.writes.filter((w: { path: string }) => w.path.endsWith("/status"));
      assert(writes.length > 0, "no HTTPRoute status was written");
    } finally {
      await proxy.drain();
      await cluster.close();
    }
  },
);

Deno.test(
  "gateway routes: a cross-namespace backendRef serves once a ReferenceGrant allows it",
  opts,
  async () => {
    const cluster = await FakeCluster.start();
    seed(cluster);
    const proxy = await start(cluster);
    try {
      cluster.api.upsert(
        "httproutes",
        httpRoute({
          namespace: TEAM,
          name: "team-shop",
          parentRefs: [{ name: GATEWAY.name, namespace: GATEWAY.namespace }],
          hostnames: ["team.test"],
          rules: [{ backendRefs: [ref({ namespace: NAMESPACE })] }],
        }),
      );
      // Not permitted: the route is accepted, its backendRef's share answers 500.
      await eventually(async () => assertEquals((await status(proxy.port, "team.test"))[0], 500));
      const conditions = () => {
        const route = cluster.api.get("httproutes", TEAM, "team-shop");
        const ours = route?.status?.parents?.find((p: { controllerName: string }) =>
          p.controllerName === "podgate.dev/gateway-controller"
        );
        return Object.fromEntries(
          (ours?.conditions ?? []).map((c: { type: string; status: string; reason: string }) => [
            c.type,
            `${c.status}/${c.reason}`,
          ]),
        );
      };
      await eventually(() =>
        assertEquals(conditions(), {
          Accepted: "True/Accepted",
          ResolvedRefs: "False/RefNotPermitted",
        })
      );
      cluster.api.upsert(
        "referencegrants",
        referenceGrant({
          namespace: NAMESPACE,
          from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: TEAM }],
          to: [{ group: "", kind: "Service" }],
        }),
      );
      await eventually(async () => assertEquals((await status(proxy.port, "team.test"))[0], 200));
      await eventually(() =>
        assertEquals(conditions(), { Accepted: "True/Accepted", ResolvedRefs: "True/ResolvedRefs" })
      );
    } finally {
      await proxy.drain();
      await cluster.close();
    }
  },
);
