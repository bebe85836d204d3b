// routesFrom: gateway end to end against the fake API server over HTTPS: gatewayRoutes() with
// the real client and patcher. What is asserted is what a user sees: the route snapshots the
// table gets, and the HTTPRoute status `kubectl get httproute -o yaml` would show.
import { assert, assertEquals } from "../support/assert.ts";
import { testPki, writeKubeconfig } from "../support/certs.ts";
import { FakeKubeApi, type FakeKubeApiOptions } from "../support/fake_kube_api.ts";
import { eventually } from "../support/fake_kube_cluster.ts";
import {
  gateway,
  GATEWAY_GROUP,
  httpRoute,
  referenceGrant,
  service,
} from "../support/gateway_fixtures.ts";
import { gatewayRoutes, gatewaySettingsSchema } from "../../src/gateway/mod.ts";
import { resolveKubeConnection } from "../../src/kube/config.ts";
import { createKubeClient } from "../../src/kube/client.ts";
import { createKubePatcher } from "../../src/kube/patch.ts";
import { memoryLogger } from "../../src/log.ts";
import type { RouteSpec } from "../../src/routes/types.ts";
import { runtime } from "../../src/runtime/mod.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const opts = { sanitizeOps: false, sanitizeResources: false };
const CONTROLLER = "podgate.dev/gateway-controller";
const PARENT = { name: "podgate", namespace: "podgate" };

interface Harness {
  api: FakeKubeApi;
  snapshots: (readonly RouteSpec[])[];
  logs: ReturnType<typeof memoryLogger>["lines"];
  last(): readonly RouteSpec[] | undefined;
  /** Our status.parents entry of a route, as stored. */
  ours(namespace: string, name: string): Json;
  stop(): Promise<void>;
}

async function harness(
  seed: (api: FakeKubeApi) => void,
  fakeOptions: Partial<FakeKubeApiOptions> = {},
): Promise<Harness> {
  const pki = await testPki();
  const api = await FakeKubeApi.start({ pki, ...fakeOptions });
  seed(api);
  const kubeconfig = await writeKubeconfig({
    server: api.url,
    pki,
    client: pki.rsaClient,
    embed: true,
    namespace: "podgate",
  });
  const { connection, defaultNamespace } = await resolveKubeConnection({
    kubeconfig,
    env: () => undefined,
    readTextFile: runtime.readTextFile,
    fileExists: runtime.fileExists,
  });
  const client = createKubeClient(connection, {
    tlsFetch: runtime.tlsFetch,
    requestTimeoutMs: 5_000,
    ...(defaultNamespace ? { defaultNamespace } : {}),
  });
  const logger = memoryLogger();
  const snapshots: (readonly RouteSpec[])[] = [];
  const source = gatewayRoutes({
    api: client,
    patcher: createKubePatcher(connection, { tlsFetch: runtime.tlsFetch, requestTimeoutMs: 5_000 }),
    settings: gatewaySettingsSchema.parse({
      name: "podgate",
      namespace: "podgate",
      statusRetryMs: 50,
    }),
    logger,
    timers: {
      backoffInitialMs: 20,
      backoffMaxMs: 100,
      watchTimeoutMinSeconds: 30,
      watchTimeoutMaxSeconds: 60,
    },
  });
  source.start((routes) => snapshots.push(routes));
  return {
    api,
    snapshots,
    logs: logger.lines,
    last: () => snapshots.at(-1),
    ours: (namespace, name) =>
      (api.get("httproutes", namespace, name)?.status?.parents ?? [])
        .find((p: Json) => p.controllerName === CONTROLLER),
    async stop() {
      await source.stop();
      await api.close();
    },
  };
}

const conditions = (entry: Json) =>
  Object.fromEntries(
    (entry?.conditions ?? []).map((c: Json) => [c.type, `${c.status} ${c.reason}`]),
  );

const allNamespaces = () =>
  gateway({
    namespace: "podgate",
    name: "podgate",
    listeners: [{
      name: "http",
      protocol: "HTTP",
      port: 80,
      allowedRoutes: { namespaces: { from: "All" } },
    }],
  });

const webService = (namespace: string, name = "web") =>
  service({ namespace, name, ports: [{ name: "http", port: 80, targetPort: 8080 }] });

const toWeb = (namespace: string, name: string, extra: Json = {}) =>
  httpRoute({
    namespace,
    name,
    parentRefs: [PARENT],
    rules: [{ backendRefs: [{ name: "web", port: 80 }] }],
    ...extra,
  });

const names = (routes: readonly RouteSpec[] | undefined) => routes?.map((r) => r.name);

Deno.test(
  "gateway source: routes added, changed and deleted arrive as whole snapshots",
  opts,
  async () => {
    const h = await harness((api) => {
      api.upsert("gateways", allNamespaces());
      api.upsert("services", webService("podgate"));
      api.upsert("httproutes", toWeb("podgate", "web"));
      // Attached to another Gateway only: not podgate's, never touched.
      api.upsert(
        "httproutes",
        httpRoute({ namespace: "podgate", name: "elsewhere", parentRefs: [{ name: "eg" }] }),
      );
    });
    try {
      await eventually(() => assertEquals(names(h.last()), ["podgate/web"]));
      assertEquals(h.snapshots.length, 1);
      assertEquals(h.last()![0]!.rules[0]!.backendRefs[0]!.source, {
        kind: "service",
        namespace: "podgate",
        name: "web",
        port: "http",
      });
      await eventually(() =>
        assertEquals(conditions(h.ours("podgate", "web")), {
          Accepted: "True Accepted",
          ResolvedRefs: "True ResolvedRefs",
        })
      );
      assertEquals(h.api.get("httproutes", "podgate", "elsewhere").status, undefined);

      h.api.upsert("services", webService("shop"));
      h.api.upsert("httproutes", toWeb("shop", "store", { hostnames: ["shop.example.com"] }));
      await eventually(() => assertEquals(names(h.last()), ["podgate/web", "shop/store"]));
      h.api.upsert("httproutes", toWeb("shop", "store", { hostnames: ["store.example.com"] }));
      await eventually(() => assertEquals(h.last()?.[1]?.hostnames, ["store.example.com"]));
      h.api.remove("httproutes", "podgate", "web");
      await eventually(() => assertEquals(names(h.last()), ["shop/store"]));
      // Every snapshot is a whole, different list; none was empty.
      assert(h.snapshots.every((s) => s.length > 0));
      for (let i = 1; i < h.snapshots.length; i++) {
        assert(JSON.stringify(h.snapshots[i]) !== JSON.stringify(h.snapshots[i - 1]));
      }
      // A change that alters nothing (another Service) brings no snapshot and no status write.
      const [count, writes] = [h.snapshots.length, h.api.writes.length];
      h.api.upsert("services", webService("unrelated"));
      await new Promise((r) => setTimeout(r, 200));
      assertEquals([h.snapshots.length, h.api.writes.length], [count, writes]);
    } finally {
      await h.stop();
    }
  },
);

Deno.test(
  "gateway source: a missing Service is ResolvedRefs False BackendNotFound until it exists; a cross-namespace ref waits for its ReferenceGrant",
  opts,
  async () => {
    const envoy = {
      parentRef: { group: GATEWAY_GROUP, kind: "Gateway", name: "eg", namespace: "envoy" },
      controllerName: "gateway.envoyproxy.io/gatewayclass-controller",
      conditions: [{
        type: "Accepted",
        status: "True",
        reason: "Accepted",
        message: "Route is accepted",
        observedGeneration: 1,
        lastTransitionTime: "2026-01-01T00:00:00Z",
      }],
    };
    const h = await harness((api) => {
      api.upsert("gateways", allNamespaces());
      api.upsert("httproutes", {
        ...toWeb("podgate", "web"),
        status: { parents: [envoy] },
      });
      api.upsert("services", webService("backend"));
      api.upsert(
        "httproutes",
        httpRoute({
          namespace: "shop",
          name: "cross",
          parentRefs: [PARENT],
          rules: [{ backendRefs: [{ name: "web", namespace: "backend", port: 80 }] }],
        }),
      );
    });
    try {
      await eventually(() =>
        assertEquals(conditions(h.ours("podgate", "web")), {
          Accepted: "True Accepted",
          ResolvedRefs: "False BackendNotFound",
        })
      );
      await eventually(() =>
        assertEquals(conditions(h.ours("shop", "cross")), {
          Accepted: "True Accepted",
          ResolvedRefs: "False RefNotPermitted",
        })
      );
      // Served anyway: the invalid backend's share gets 500s, the route keeps its place.
      assertEquals(names(h.last()), ["podgate/web", "shop/cross"]);
      assertEquals(h.last()![0]!.rules[0]!.backendRefs[0]!.source.kind, "invalid");
      // Envoy's entry is still there, untouched.
      const stored = h.api.get("httproutes", "podgate", "web").status.parents;
      assertEquals(stored.length, 2);
      assertEquals(stored.find((p: Json) => p.controllerName !== CONTROLLER), envoy);
      const before = h.ours("podgate", "web");
      const acceptedSince = before.conditions.find((c: Json) =>
        c.type === "Accepted"
      ).lastTransitionTime;

      h.api.upsert("services", webService("podgate"));
      h.api.upsert(
        "referencegrants",
        referenceGrant({
          namespace: "backend",
          from: [{ group: GATEWAY_GROUP, kind: "HTTPRoute", namespace: "shop" }],
          to: [{ group: "", kind: "Service" }],
        }),
      );
      await eventually(() => {
        assertEquals(conditions(h.ours("podgate", "web"))["ResolvedRefs"], "True ResolvedRefs");
        assertEquals(conditions(h.ours("shop", "cross"))["ResolvedRefs"], "True ResolvedRefs");
      });
      await eventually(() =>
        assertEquals(h.last()?.map((r) => r.rules[0]!.backendRefs[0]!.source.kind), [
          "service",
          "service",
        ])
      );
      const after = h.ours("podgate", "web");
      // Accepted held True throughout: its transition time did not move.
      assertEquals(
        after.conditions.find((c: Json) => c.type === "Accepted").lastTransitionTime,
        acceptedSince,
      );
      assertEquals(after.conditions[0].observedGeneration, 1);
      // Every write was a merge patch of the status subresource carrying the resourceVersion.
      const statusWrites = h.api.writes.filter((w) => w.path.endsWith("/status"));
      assert(statusWrites.length >= 4);
      for (const w of statusWrites) {
        assertEquals([w.method, w.contentType], ["PATCH", "application/merge-patch+json"]);
        assert(typeof w.body.metadata.resourceVersion === "string");
      }

      // The route leaves podgate's Gateway: podgate's entry goes, Envoy's stays.
      h.api.upsert("httproutes", {
        ...toWeb("podgate", "web"),
        spec: { ...toWeb("podgate", "web").spec, parentRefs: [{ name: "eg", namespace: "envoy" }] },
      });
      await eventually(() => {
        assertEquals(h.ours("podgate", "web"), undefined);
        assertEquals(h.api.get("httproutes", "podgate", "web").status.parents, [envoy]);
      });
    } finally {
      await h.stop();
    }
  },
);

Deno.test(
  "gateway source: a status write that meets a 409 is retried from the newer object",
  opts,
  async () => {
    let api: FakeKubeApi | undefined;
    let conflicted = false;
    const h = await harness((fake) => {
      api = fake;
      fake.upsert("gateways", allNamespaces());
      fake.upsert("services", webService("podgate"));
      fake.upsert("httproutes", toWeb("podgate", "web"));
    }, {
      // Someone else edits the route just before podgate's first status write lands: a real 409.
      onWrite(write) {
        if (!conflicted && write.path.endsWith("/status")) {
          conflicted = true;
          api!.upsert("httproutes", {
            ...toWeb("podgate", "web"),
            metadata: { namespace: "podgate", name: "web", labels: { edited: "yes" } },
          });
        }
        return undefined;
      },
    });
    try {
      await eventually(() =>
        assertEquals(conditions(h.ours("podgate", "web"))["Accepted"], "True Accepted")
      );
      const statuses = h.api.writes.filter((w) => w.path.endsWith("/status")).map((w) => w.status);
      assertEquals(statuses, [409, 200]);
      assert(h.logs.some((l) => l.msg === "route_status_conflict"));
      assertEquals(h.api.get("httproutes", "podgate", "web").metadata.labels, { edited: "yes" });
    } finally {
      await h.stop();
    }
  },
);

Deno.test(
  "gateway source: an API server that goes away keeps the last routes; changes flow again when it is back",
  opts,
  async () => {
    const h = await harness((api) => {
      api.upsert("gateways", allNamespaces());
      api.upsert("services", webService("podgate"));
      api.upsert("httproutes", toWeb("podgate", "web"));
    });
    try {
      await eventually(() => assertEquals(names(h.last()), ["podgate/web"]));
      const count = h.snapshots.length;
      await h.api.down();
      await eventually(() =>
        assert(
          h.logs.filter((l) => l.msg === "kube_watch_failed" || l.msg === "kube_list_failed")
            .length >= 4,
        )
      );
      await new Promise((r) => setTimeout(r, 300));
      assertEquals(h.snapshots.length, count); // no empty snapshot, no snapshot at all
      h.api.upsert("httproutes", toWeb("podgate", "api"));
      await h.api.up();
      await eventually(() => assertEquals(names(h.last()), ["podgate/api", "podgate/web"]));
      assert(h.snapshots.every((s) => s.length > 0));
    } finally {
      await h.stop();
    }
  },
);
