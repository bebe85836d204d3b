// Routes whose backendRefs are Services, discovered through their EndpointSlices from the fake
// API server over HTTPS, in front of real `podgate backend` pods: two routes on one Service share
// one watch, and both follow the Service as it scales.
import { assertEquals } from "../support/assert.ts";
import { eventually, FakeCluster, NAMESPACE, SERVICE } from "../support/fake_kube_cluster.ts";
import { loadConfig, proxyConfigSchema } from "../../src/config/mod.ts";
import { createSources } from "../../src/discovery/from_config.ts";
import { memoryLogger } from "../../src/log.ts";
import { startProxy } from "../../src/proxy/server.ts";
import { runtime } from "../../src/runtime/mod.ts";
import { getVia } from "../support/route_backends.ts";
import { rawRequest } from "../support/raw_http.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** The pods that answer `/ping` for `host` over `turns` requests (or the odd status). */
async function podsBehind(port: number, host: string, turns: number): Promise<string[]> {
  const names = new Set<string>();
  for (let i = 0; i < turns; i++) {
    const res = await rawRequest(port, `GET /ping HTTP/1.1\r\nHost: ${host}\r\nConnection: close`);
    names.add(res.status === 200 ? JSON.parse(res.text()).podname : `status ${res.status}`);
  }
  return [...names].sort();
}

Deno.test(
  "routes on Services: two routes on one Service share one watch and follow its scaling",
  opts,
  async () => {
    const cluster = await FakeCluster.start();
    const kubeconfig = await cluster.kubeconfig();
    const ref = { name: SERVICE, port: "http" };
    const text = JSON.stringify({
      port: 0,
      hostname: "127.0.0.1",
      accessLog: false,
      kubernetes: { kubeconfig, backoffInitialMs: 20, backoffMaxMs: 200 },
      routes: [
        { name: "a", hostnames: ["a.test"], rules: [{ backendRefs: [ref] }] },
        {
          name: "b",
          hostnames: ["b.test"],
          rules: [{ backendRefs: [{ ...ref, namespace: NAMESPACE }] }],
        },
        {
          name: "ghost",
          hostnames: ["ghost.test"],
          rules: [{ backendRefs: [{ name: "ghost", port: 80 }] }],
        },
      ],
    });
    const { config } = loadConfig(proxyConfigSchema, { file: { path: "config.json", text } });
    assertEquals(config.discovery, "kubernetes", "Service backendRefs need the API server");
    const logger = memoryLogger();
    const sources = await createSources(config, { runtime, logger, env: () => undefined });
    const proxy = await startProxy({ config, runtime, logger, ...sources });
    try {
      const pods = cluster.scale(3);
      for (const host of ["a.test", "b.test"]) {
        await eventually(async () =>
          assertEquals(await podsBehind(proxy.port, host, 6), [...pods].sort())
        );
      }
      const fewer = cluster.scale(2);
      for (const host of ["a.test", "b.test"]) {
        await eventually(async () =>
          assertEquals(await podsBehind(proxy.port, host, 6), [...fewer].sort())
        );
      }
      // One list and one watch for backend-service, however many routes name it; one for ghost.
      const slices = cluster.api.requests.filter((r) => r.resource === "endpointslices");
      const bySelector = (verb: string, service: string) =>
        slices.filter((r) =>
          r.verb === verb && r.query.labelSelector === `kubernetes.io/service-name=${service}`
        ).length;
      assertEquals([bySelector("list", SERVICE), bySelector("watch", SERVICE)], [1, 1]);
      assertEquals([bySelector("list", "ghost"), bySelector("watch", "ghost")], [1, 1]);
      // A Service with no endpoints: its route answers 503, the others keep serving.
      const ghost = await getVia(proxy.port, "ghost.test", "/ping");
      assertEquals(ghost.status, 503);
      assertEquals(sources.services?.watched(), [`${NAMESPACE}/${SERVICE}`, `${NAMESPACE}/ghost`]);
    } finally {
      await proxy.drain();
      await cluster.close();
    }
  },
);
