// Kubernetes discovery end to end, in-process on Deno: the real proxy (config → createDiscovery →
// startProxy) against the fake API server over HTTPS, in front of real `podgate backend` apps.
// Each test asserts what a client of the proxy sees: the rotation, the pods that answer, /ready.
import { assert, assertEquals } from "../support/assert.ts";
import {
  eventually,
  expectRotation,
  FakeCluster,
  getJson,
  NAMESPACE,
  pings,
  POD_NAMES,
  SERVICE,
} from "../support/fake_kube_cluster.ts";
import type { FakeKubeApiOptions } from "../support/fake_kube_api.ts";
import { loadConfig, proxyConfigSchema } from "../../src/config/mod.ts";
import { createDiscovery } from "../../src/discovery/from_config.ts";
import { createLogger } from "../../src/log.ts";
import { startProxy } from "../../src/proxy/server.ts";
import { runtime } from "../../src/runtime/mod.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Line = Record<string, unknown> & { msg: string };

interface Proxy {
  url: string;
  logs: () => Line[];
  stop(): Promise<void>;
}

interface ProxySetup {
  kubernetes?: Record<string, unknown>;
  /** The environment discovery sees (nothing of this machine's). */
  env?: Record<string, string>;
  serviceAccountDir?: string;
}

async function startKubeProxy(setup: ProxySetup): Promise<Proxy> {
  const text = JSON.stringify({
    port: 0,
    hostname: "127.0.0.1",
    backendServiceName: SERVICE,
    backendPort: "http",
    accessLog: false,
    logLevel: "debug",
    kubernetes: {
      backoffInitialMs: 20,
      backoffMaxMs: 200,
      watchTimeoutMinSeconds: 30,
      watchTimeoutMaxSeconds: 60,
      ...setup.kubernetes,
    },
  });
  const { config } = loadConfig(proxyConfigSchema, { file: { path: "config.json", text } });
  const lines: Line[] = [];
  const logger = createLogger({
    level: "debug",
    write: (chunk) => chunk.split("\n").filter(Boolean).forEach((l) => lines.push(JSON.parse(l))),
    flushMs: 1,
  });
  const env = setup.env ?? {};
  const discovery = await createDiscovery(config, {
    runtime,
    logger,
    env: (name) => env[name],
    ...(setup.serviceAccountDir ? { serviceAccountDir: setup.serviceAccountDir } : {}),
  });
  const proxy = await startProxy({ config, runtime, logger, discovery });
  return {
    url: `http://127.0.0.1:${proxy.port}`,
    logs: () => (logger.flush(), lines),
    stop: async () => void await proxy.drain(),
  };
}

async function withCluster(
  fakeOptions: Partial<FakeKubeApiOptions>,
  body: (cluster: FakeCluster) => Promise<void>,
): Promise<void> {
  const cluster = await FakeCluster.start(fakeOptions);
  try {
    await body(cluster);
  } finally {
    await cluster.close();
  }
}

const [A, B, C, D, E] = POD_NAMES as [string, string, string, string, string];

Deno.test(
  "kube discovery: scale 3 → 5 → 2 changes the rotation a client of the proxy sees",
  opts,
  () =>
    withCluster({}, async (cluster) => {
      cluster.scale(3);
      const proxy = await startKubeProxy({ env: { KUBECONFIG: await cluster.kubeconfig() } });
      try {
        await expectRotation(proxy.url, cluster.addresses([A, B, C]));
        assertEquals(await pings(proxy.url, 3), [A, B, C].sort());
        cluster.scale(5);
        await expectRotation(proxy.url, cluster.addresses([A, B, C, D, E]));
        cluster.scale(2);
        await expectRotation(proxy.url, cluster.addresses([A, B]));
        assertEquals(await pings(proxy.url, 4), [A, A, B, B].sort());
        // One log line per backend added or removed.
        const logs = proxy.logs();
        const added = logs.filter((l) => l.msg === "backend_added").map((l) => l.backend);
        const removed = logs.filter((l) => l.msg === "backend_removed").map((l) => l.backend);
        assertEquals(added.sort(), cluster.addresses([A, B, C, D, E]).sort());
        assertEquals(removed.sort(), cluster.addresses([C, D, E]).sort());
        const connected = logs.find((l) => l.msg === "kube_connection")!;
        assertEquals([connected.source, connected.namespace], ["kubeconfig", NAMESPACE]);
        // The client certificate is what authenticated the proxy (no token in this kubeconfig).
        assert(cluster.api.requests.every((r) => r.user === "kubernetes-admin"));
      } finally {
        await proxy.stop();
      }
    }),
);

Deno.test(
  "kube discovery: a pod going terminating leaves the rotation",
  opts,
  () =>
    withCluster({}, async (cluster) => {
      cluster.scale(3);
      const proxy = await startKubeProxy({ env: { KUBECONFIG: await cluster.kubeconfig() } });
      try {
        await expectRotation(proxy.url, cluster.addresses([A, B, C]));
        cluster.setEndpoints([{ pod: A }, { pod: B, ready: false, terminating: true }, { pod: C }]);
        await expectRotation(proxy.url, cluster.addresses([A, C]));
        assertEquals(await pings(proxy.url, 4), [A, A, C, C].sort());
        const info = (await getJson(`${proxy.url}/info`)).body.backends as Array<
          Record<string, unknown>
        >;
        assertEquals(
          info.find((b) => b.address === cluster.addresses([B])[0])?.state,
          "terminating",
        );
        // With every pod terminating but still serving, they take the traffic rather than nobody.
        cluster.setEndpoints([A, B, C].map((pod) => ({ pod, ready: false, terminating: true })));
        await expectRotation(proxy.url, cluster.addresses([A, B, C]));
        // Not serving any more: gone.
        cluster.setEndpoints([
          { pod: A, ready: false, terminating: true },
          { pod: B, ready: false, serving: false, terminating: true },
          { pod: C, ready: false, serving: false, terminating: true },
        ]);
        await expectRotation(proxy.url, cluster.addresses([A]));
      } finally {
        await proxy.stop();
      }
    }),
);

Deno.test(
  "kube discovery: watches the server ends are resumed from their resourceVersion without losing an event",
  opts,
  () =>
    withCluster({ maxWatchMs: 150, splitChunks: true }, async (cluster) => {
      cluster.scale(3);
      const proxy = await startKubeProxy({ env: { KUBECONFIG: await cluster.kubeconfig() } });
      const api = cluster.api;
      try {
        await expectRotation(proxy.url, cluster.addresses([A, B, C]));
        // The server keeps ending long watches; changes still arrive.
        await eventually(() => assert(api.requests.filter((r) => r.verb === "watch").length >= 3));
        cluster.scale(4);
        await expectRotation(proxy.url, cluster.addresses([A, B, C, D]));
        // A change made while no watch is open arrives with the next watch.
        api.holdWatches();
        await eventually(() => assertEquals(api.heldWatches, 1));
        cluster.scale(2);
        api.releaseWatches();
        await expectRotation(proxy.url, cluster.addresses([A, B]));
        assertEquals(api.requests.filter((r) => r.verb === "list").length, 1);
      } finally {
        await proxy.stop();
      }
    }),
);

Deno.test(
  "kube discovery: an expired resourceVersion makes the proxy relist and follow the new set",
  opts,
  () =>
    withCluster({ expired: "event" }, async (cluster) => {
      cluster.scale(3);
      const proxy = await startKubeProxy({ env: { KUBECONFIG: await cluster.kubeconfig() } });
      const api = cluster.api;
      try {
        await expectRotation(proxy.url, cluster.addresses([A, B, C]));
        api.holdWatches();
        api.closeWatches();
        await eventually(() => assertEquals(api.heldWatches, 1));
        cluster.scale(5);
        api.compact(); // the API server no longer has the changes since the proxy's version
        api.releaseWatches();
        await expectRotation(proxy.url, cluster.addresses([A, B, C, D, E]));
        assertEquals(api.requests.filter((r) => r.verb === "list").length, 2);
        assert(proxy.logs().some((l) => l.msg === "kube_watch_expired"));
      } finally {
        await proxy.stop();
      }
    }),
);

Deno.test(
  "kube discovery: with the API server down, traffic keeps flowing to the last good set; it catches up on return",
  opts,
  () =>
    withCluster({}, async (cluster) => {
      cluster.scale(3);
      const proxy = await startKubeProxy({ env: { KUBECONFIG: await cluster.kubeconfig() } });
      try {
        await expectRotation(proxy.url, cluster.addresses([A, B, C]));
        await cluster.api.down();
        await eventually(() =>
          assert(proxy.logs().filter((l) => l.msg === "kube_watch_failed").length >= 2)
        );
        cluster.scale(2); // the cluster moves on while the proxy cannot see it
        assertEquals(await pings(proxy.url, 6), [A, A, B, B, C, C].sort());
        assertEquals((await getJson(`${proxy.url}/ready`)).status, 200);
        await cluster.api.up();
        await expectRotation(proxy.url, cluster.addresses([A, B]));
        assertEquals(cluster.api.requests.filter((r) => r.verb === "list").length, 1);
        assert(proxy.logs().some((l) => l.msg === "kube_recovered"));
      } finally {
        await proxy.stop();
      }
    }),
);

Deno.test(
  "kube discovery: in a pod, a rotated service account token is re-read after a 401",
  opts,
  () =>
    withCluster(
      { tokens: { "token-1": "system:serviceaccount:fixtures:podgate-proxy" } },
      async (cluster) => {
        cluster.scale(3);
        const dir = await cluster.serviceAccount("token-1\n");
        const proxy = await startKubeProxy({
          env: {
            KUBERNETES_SERVICE_HOST: "127.0.0.1",
            KUBERNETES_SERVICE_PORT: String(cluster.api.port),
          },
          serviceAccountDir: dir,
          kubernetes: { tokenReloadMs: 60_000 },
        });
        const api = cluster.api;
        try {
          await expectRotation(proxy.url, cluster.addresses([A, B, C]));
          const connected = proxy.logs().find((l) => l.msg === "kube_connection")!;
          assertEquals([connected.source, connected.namespace], ["in-cluster", NAMESPACE]);
          // The kubelet writes a new token; the API server stops accepting the old one.
          await Deno.writeTextFile(`${dir}/token`, "token-2\n");
          api.tokens.delete("token-1");
          api.tokens.set("token-2", "system:serviceaccount:fixtures:podgate-proxy");
          api.closeWatches();
          cluster.scale(2);
          await expectRotation(proxy.url, cluster.addresses([A, B]));
          const watches = api.requests.filter((r) => r.verb === "watch").map((r) => r.status);
          assertEquals(watches.slice(0, 3), [200, 401, 200]);
        } finally {
          await proxy.stop();
        }
      },
    ),
);

Deno.test(
  "kube discovery: /ready answers 503 until the first list and while the Service has no endpoint",
  opts,
  () =>
    withCluster({}, async (cluster) => {
      cluster.api.forbidden.add("list endpointslices");
      cluster.scale(0);
      const proxy = await startKubeProxy({ env: { KUBECONFIG: await cluster.kubeconfig() } });
      try {
        await eventually(() => assert(proxy.logs().some((l) => l.msg === "kube_forbidden")));
        const forbidden = proxy.logs().find((l) => l.msg === "kube_forbidden")!;
        assertEquals([forbidden.verb, forbidden.resource], ["list", "endpointslices"]);
        assertEquals(await getJson(`${proxy.url}/ready`), {
          status: 503,
          body: { status: "not ready", reason: "waiting for the first discovery sync" },
        });
        assertEquals((await getJson(`${proxy.url}/health`)).status, 200);
        cluster.api.forbidden.clear(); // RBAC fixed
        await eventually(async () =>
          assertEquals(await getJson(`${proxy.url}/ready`), {
            status: 503,
            body: { status: "not ready", reason: "no backend endpoints discovered" },
          })
        );
        assertEquals((await getJson(`${proxy.url}/ping`)).status, 503);
        cluster.scale(2);
        await eventually(async () =>
          assertEquals((await getJson(`${proxy.url}/ready`)).status, 200)
        );
        assertEquals(await pings(proxy.url, 2), [A, B].sort());
      } finally {
        await proxy.stop();
      }
    }),
);

Deno.test(
  "kube discovery: a kubeconfig naming an EC client certificate and key files works",
  opts,
  () =>
    withCluster({}, async (cluster) => {
      cluster.scale(3);
      const proxy = await startKubeProxy({
        kubernetes: { kubeconfig: await cluster.kubeconfig(cluster.pki.ecClient, false) },
      });
      try {
        await expectRotation(proxy.url, cluster.addresses([A, B, C]));
        assert(cluster.api.requests.every((r) => r.user === "ec-user"));
      } finally {
        await proxy.stop();
      }
    }),
);
