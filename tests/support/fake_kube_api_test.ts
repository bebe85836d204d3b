// The fake API server's Gateway API side over its real HTTPS socket: cluster-wide and namespaced
// list and watch of HTTPRoutes, the status subresource's merge patch (resourceVersion, generation,
// MODIFIED, 409, 404, 415), RBAC's 403, and the defaults and server fields a real server sets.
import { runtime } from "../../src/runtime/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { testPki } from "./certs.ts";
import { FakeKubeApi, type FakeKubeApiOptions } from "./fake_kube_api.ts";
import { gateway, httpRoute, referenceGrant, service } from "./gateway_fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const opts = { sanitizeOps: false, sanitizeResources: false };
const V1 = "/apis/gateway.networking.k8s.io/v1";
const ROUTES = `${V1}/httproutes`;
const routesIn = (namespace: string) => `${V1}/namespaces/${namespace}/httproutes`;
const NOBODY = "system:serviceaccount:fixtures:nobody";
const MESSAGE_409 =
  'Operation cannot be fulfilled on httproutes.gateway.networking.k8s.io "web": the object has been modified; please apply your changes to the latest version and try again';

const route = (namespace: string, name: string) =>
  httpRoute({
    namespace,
    name,
    parentRefs: [{ name: "edge", namespace: "podgate" }],
    hostnames: [`${name}.example.com`],
    rules: [{ backendRefs: [{ name, port: 8080 }] }],
  });

const accepted = (generation: number) => ({
  parents: [{
    parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge" },
    controllerName: "podgate.dev/gateway",
    conditions: [{
      type: "Accepted",
      status: "True",
      reason: "Accepted",
      message: "",
      observedGeneration: generation,
      lastTransitionTime: "2026-12-06T20:00:00Z",
    }],
  }],
});

async function harness(options: Partial<FakeKubeApiOptions> = {}) {
  const pki = await testPki();
  const api = await FakeKubeApi.start({
    pki,
    tokens: { admin: "kubernetes-admin", nobody: NOBODY },
    now: () => new Date("2026-12-06T20:00:00.123Z"),
    ...options,
  });
  const tlsFetch = runtime.tlsFetch({ caCerts: [pki.ca] });
  const call = async (
    path: string,
    { method = "GET", body, contentType = "application/merge-patch+json", token = "admin" }: {
      method?: string;
      body?: unknown;
      contentType?: string;
      token?: string;
    } = {},
  ): Promise<{ status: number; body: Json }> => {
    const res = await tlsFetch(api.url + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": contentType }),
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
  /** Opens a watch; `next()` gives the next event, or fails after 5 s naming the path. */
  const watch = async (path: string) => {
    const controller = new AbortController();
    const res = await tlsFetch(api.url + path, {
      headers: { authorization: "Bearer admin" },
      signal: controller.signal,
    });
    assertEquals(res.status, 200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    const within = async <T>(what: string, promise: Promise<T>): Promise<T> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} on ${path} within 5 s`)), 5000);
      });
      try {
        return await Promise.race([promise, late]);
      } finally {
        clearTimeout(timer);
      }
    };
    const next = async (): Promise<Json> => {
      while (!buffered.includes("\n")) {
        const { value, done } = await within("no event", reader.read());
        if (done) throw new Error(`watch ${path} ended`);
        buffered += value;
      }
      const at = buffered.indexOf("\n");
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      return JSON.parse(line);
    };
    const ended = async () => (await within("no end", reader.read())).done;
    return { next, ended, close: () => controller.abort() };
  };
  return { api, call, watch };
}

Deno.test(
  "FakeKubeApi lists httproutes cluster-wide and per namespace, as a CRD list",
  opts,
  async () => {
    const { api, call } = await harness();
    try {
      api.upsert("httproutes", route("shop", "web"));
      api.upsert("httproutes", route("blog", "web"));
      api.upsert("httproutes", route("blog", "api"));
      const all = await call(ROUTES);
      assertEquals(all.status, 200);
      assertEquals(all.body.kind, "HTTPRouteList");
      assertEquals(all.body.apiVersion, "gateway.networking.k8s.io/v1");
      assertEquals(all.body.metadata, { continue: "", resourceVersion: api.resourceVersion });
      assertEquals(
        all.body.items.map((o: Json) => `${o.metadata.namespace}/${o.metadata.name}`),
        ["blog/api", "blog/web", "shop/web"],
      );
      const one = all.body.items[2];
      assertEquals([one.kind, one.apiVersion], ["HTTPRoute", "gateway.networking.k8s.io/v1"]);
      assertEquals(one.metadata.generation, 1);
      assertEquals(one.metadata.creationTimestamp, "2026-12-06T20:00:00Z");
      assert(/^[0-9a-f-]{36}$/.test(one.metadata.uid), one.metadata.uid);
      assertEquals(one.spec, {
        parentRefs: [{
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: "edge",
          namespace: "podgate",
        }],
        hostnames: ["web.example.com"],
        rules: [{
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [{ group: "", kind: "Service", name: "web", port: 8080, weight: 1 }],
        }],
      });
      const shop = await call(routesIn("shop"));
      assertEquals(shop.body.items.map((o: Json) => o.metadata.name), ["web"]);
      assertEquals(shop.body.items[0], one);
      const got = await call(`${routesIn("shop")}/web`);
      assertEquals([got.status, got.body], [200, one]);
    } finally {
      await api.close();
    }
  },
);

Deno.test(
  "FakeKubeApi watches httproutes cluster-wide and per namespace from a list's resourceVersion",
  opts,
  async () => {
    const { api, call, watch } = await harness();
    try {
      api.upsert("httproutes", route("shop", "web"));
      const rv = (await call(ROUTES)).body.metadata.resourceVersion;
      const all = await watch(`${ROUTES}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`);
      const blog = await watch(`${routesIn("blog")}?watch=true&resourceVersion=${rv}`);
      api.upsert("httproutes", route("shop", "api"));
      api.upsert("httproutes", route("blog", "web"));
      const first = await all.next();
      assertEquals([first.type, first.object.metadata.name], ["ADDED", "api"]);
      const second = await all.next();
      assertEquals([second.type, second.object.metadata.namespace], ["ADDED", "blog"]);
      const only = await blog.next();
      assertEquals([only.type, only.object.metadata.namespace], ["ADDED", "blog"]);
      assertEquals(only.object.metadata.resourceVersion, api.resourceVersion);
      api.remove("httproutes", "shop", "web");
      const gone = await all.next();
      assertEquals([gone.type, gone.object.metadata.name], ["DELETED", "web"]);
      // A bookmark only when the version moved past what the watch has seen.
      api.bookmark();
      api.upsert("services", service({ namespace: "shop", name: "web", ports: [{ port: 80 }] }));
      api.bookmark();
      assertEquals(await all.next(), {
        type: "BOOKMARK",
        object: {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "HTTPRoute",
          metadata: { resourceVersion: api.resourceVersion },
        },
      });
      all.close();
      blog.close();
      // From 0: synthetic ADDED for every namespace's objects (key order); then, compacted, 410.
      const fresh = await watch(`${ROUTES}?watch=1`);
      const synthetic = [await fresh.next(), await fresh.next()]
        .map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`);
      assertEquals(synthetic, ["ADDED blog/web", "ADDED shop/api"]);
      fresh.close();
      api.compact();
      const old = await watch(`${ROUTES}?watch=1&resourceVersion=${rv}`);
      const expired = await old.next();
      assertEquals([expired.type, expired.object.code, expired.object.reason], [
        "ERROR",
        410,
        "Expired",
      ]);
      assert(await old.ended());
    } finally {
      await api.close();
    }
  },
);

Deno.test(
  "FakeKubeApi PATCH of httproutes/status bumps resourceVersion, not generation, and emits MODIFIED",
  opts,
  async () => {
    const { api, call, watch } = await harness();
    try {
      api.upsert("httproutes", route("shop", "web"));
      const before = (await call(`${routesIn("shop")}/web`)).body;
      const w = await watch(`${routesIn("shop")}?watch=1&resourceVersion=${api.resourceVersion}`);
      const path = `${routesIn("shop")}/web/status`;
      const patched = await call(path, {
        method: "PATCH",
        body: {
          metadata: {
            resourceVersion: before.metadata.resourceVersion,
            labels: { ignored: "yes" },
          },
          spec: { hostnames: ["ignored.example.com"] },
          status: accepted(1),
        },
      });
      assertEquals(patched.status, 200);
      assertEquals(patched.body.status, accepted(1));
      assertEquals(patched.body.spec, before.spec);
      assertEquals(patched.body.metadata, {
        ...before.metadata,
        resourceVersion: String(Number(before.metadata.resourceVersion) + 1),
      });
      assertEquals(await w.next(), { type: "MODIFIED", object: patched.body });
      // RFC 7386: arrays replace, null deletes; no resourceVersion is an unconditional write.
      const again = await call(path, {
        method: "PATCH",
        body: {
          status: { parents: [{ ...accepted(1).parents[0], controllerName: "example.com/other" }] },
        },
      });
      assertEquals(again.body.status.parents.map((p: Json) => p.controllerName), [
        "example.com/other",
      ]);
      const cleared = await call(path, { method: "PATCH", body: { status: null } });
      assertEquals([cleared.status, cleared.body.status], [200, undefined]);
      assertEquals(cleared.body.metadata.generation, 1);
      // The same status again writes nothing: no new resourceVersion.
      const rv = api.resourceVersion;
      const same = await call(path, { method: "PATCH", body: { status: null } });
      assertEquals([same.status, api.resourceVersion], [200, rv]);
      assertEquals(
        api.writes.map((w) => [w.method, w.path, w.status]),
        [["PATCH", path, 200], ["PATCH", path, 200], ["PATCH", path, 200], ["PATCH", path, 200]],
      );
      assertEquals(api.writes[0]!.body.status, accepted(1));
      w.close();
    } finally {
      await api.close();
    }
  },
);

Deno.test(
  "FakeKubeApi upsert() of a changed spec bumps generation and keeps uid, creationTimestamp and status",
  opts,
  async () => {
    const { api, call } = await harness();
    try {
      api.upsert("httproutes", route("shop", "web"));
      const path = `${routesIn("shop")}/web`;
      await call(`${path}/status`, { method: "PATCH", body: { status: accepted(1) } });
      const before = (await call(path)).body;
      const rv = api.resourceVersion;
      api.upsert("httproutes", route("shop", "web")); // no change: no write
      assertEquals(api.resourceVersion, rv);
      api.upsert("httproutes", {
        ...route("shop", "web"),
        spec: { parentRefs: [{ name: "edge" }] },
      });
      const after = (await call(path)).body;
      assertEquals(after.metadata.generation, 2);
      assertEquals(after.metadata.uid, before.metadata.uid);
      assertEquals(after.status, accepted(1));
      assertEquals(after.spec.rules, [{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }]);
    } finally {
      await api.close();
    }
  },
);

Deno.test(
  "FakeKubeApi PATCH of an httproute changes spec and metadata, bumps generation, keeps the status",
  opts,
  async () => {
    const { api, call } = await harness();
    try {
      api.upsert("httproutes", route("shop", "web"));
      const path = `${routesIn("shop")}/web`;
      await call(`${path}/status`, { method: "PATCH", body: { status: accepted(1) } });
      const patched = await call(path, {
        method: "PATCH",
        body: {
          metadata: { labels: { team: "shop" }, uid: "forged" },
          spec: { hostnames: ["shop.example.com"] },
          status: null,
        },
      });
      assertEquals(patched.status, 200);
      assertEquals(patched.body.spec.hostnames, ["shop.example.com"]);
      assertEquals(patched.body.metadata.labels, { team: "shop" });
      assertEquals(patched.body.metadata.generation, 2);
      assert(patched.body.metadata.uid !== "forged");
      assertEquals(patched.body.status, accepted(1));
    } finally {
      await api.close();
    }
  },
);

Deno.test(
  "FakeKubeApi answers a stale resourceVersion on httproutes/status with 409 Conflict",
  opts,
  async () => {
    const { api, call } = await harness();
    try {
      api.upsert("httproutes", route("shop", "web"));
      const stale = api.resourceVersion;
      api.upsert("httproutes", {
        ...route("shop", "web"),
        spec: { parentRefs: [{ name: "other" }] },
      });
      const rv = api.resourceVersion;
      const answer = await call(`${routesIn("shop")}/web/status`, {
        method: "PATCH",
        body: { metadata: { resourceVersion: stale }, status: accepted(1) },
      });
      assertEquals(answer, {
        status: 409,
        body: {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: MESSAGE_409,
          reason: "Conflict",
          details: { name: "web", group: "gateway.networking.k8s.io", kind: "httproutes" },
          code: 409,
        },
      });
      assertEquals(api.resourceVersion, rv);
      assertEquals(api.writes.at(-1)?.status, 409);
    } finally {
      await api.close();
    }
  },
);

Deno.test(
  "FakeKubeApi answers 404 for a missing route and 415 for a patch type it does not take",
  opts,
  async () => {
    const { api, call } = await harness();
    try {
      const notFound = {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: 'httproutes.gateway.networking.k8s.io "gone" not found',
        reason: "NotFound",
        details: { name: "gone", group: "gateway.networking.k8s.io", kind: "httproutes" },
        code: 404,
      };
      const path = `${routesIn("shop")}/gone`;
      assertEquals(await call(path), { status: 404, body: notFound });
      assertEquals(await call(`${path}/status`, { method: "PATCH", body: { status: {} } }), {
        status: 404,
        body: notFound,
      });
      api.upsert("httproutes", route("shop", "web"));
      const wrong = await call(`${routesIn("shop")}/web/status`, {
        method: "PATCH",
        body: { status: accepted(1) },
        contentType: "application/strategic-merge-patch+json",
      });
      assertEquals(wrong, {
        status: 415,
        body: {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message:
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
          reason: "UnsupportedMediaType",
          code: 415,
        },
      });
      const bad = await call(`${routesIn("shop")}/web/status`, { method: "PATCH", body: "{nope" });
      assertEquals([bad.status, bad.body.reason], [400, "BadRequest"]);
    } finally {
      await api.close();
    }
  },
);

Deno.test(
  "FakeKubeApi answers a status the HTTPRoute schema refuses with 422 Invalid, and defaults its parentRefs",
  opts,
  async () => {
    const { api, call } = await harness();
    try {
      api.upsert("httproutes", route("shop", "web"));
      const path = `${routesIn("shop")}/web/status`;
      const rv = api.resourceVersion;
      const condition = accepted(1).parents[0]!.conditions[0]!;
      const bad = await call(path, {
        method: "PATCH",
        body: {
          status: {
            parents: [{
              parentRef: { name: "edge" },
              conditions: [{ ...condition, reason: "", lastTransitionTime: undefined }],
            }],
          },
        },
      });
      assertEquals(bad.status, 422);
      assertEquals(
        bad.body.message,
        'HTTPRoute.gateway.networking.k8s.io "web" is invalid: [status.parents[0].controllerName: Required value, status.parents[0].conditions[0].lastTransitionTime: Required value, status.parents[0].conditions[0].reason: Invalid value: "": status.parents[0].conditions[0].reason in body should be at least 1 chars long]',
      );
      assertEquals(bad.body.reason, "Invalid");
      assertEquals(bad.body.details.kind, "HTTPRoute");
      assertEquals(bad.body.details.causes[0], {
        reason: "FieldValueRequired",
        message: "Required value",
        field: "status.parents[0].controllerName",
      });
      assertEquals(api.resourceVersion, rv);
      const good = await call(path, {
        method: "PATCH",
        body: { status: { parents: [{ ...accepted(1).parents[0], parentRef: { name: "edge" } }] } },
      });
      assertEquals(good.status, 200);
      assertEquals(good.body.status.parents[0].parentRef, {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: "edge",
      });
    } finally {
      await api.close();
    }
  },
);

Deno.test(
  "FakeKubeApi refuses a denied user with RBAC's 403, namespaced, cluster-wide and on status",
  opts,
  async () => {
    const { api, call } = await harness();
    try {
      api.upsert("httproutes", route("shop", "web"));
      api.forbidden.add(`${NOBODY} list httproutes`);
      api.forbidden.add(`${NOBODY} patch httproutes/status`);
      const status = (message: string, details: Json) => ({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message,
        reason: "Forbidden",
        details,
        code: 403,
      });
      const prefix = `httproutes.gateway.networking.k8s.io is forbidden: User "${NOBODY}"`;
      assertEquals(await call(routesIn("shop"), { token: "nobody" }), {
        status: 403,
        body: status(
          `${prefix} cannot list resource "httproutes" in API group "gateway.networking.k8s.io" in the namespace "shop"`,
          { group: "gateway.networking.k8s.io", kind: "httproutes" },
        ),
      });
      assertEquals(await call(ROUTES, { token: "nobody" }), {
        status: 403,
        body: status(
          `${prefix} cannot list resource "httproutes" in API group "gateway.networking.k8s.io" at the cluster scope`,
          { group: "gateway.networking.k8s.io", kind: "httproutes" },
        ),
      });
      const patch = await call(`${routesIn("shop")}/web/status`, {
        method: "PATCH",
        body: { status: accepted(1) },
        token: "nobody",
      });
      assertEquals(patch, {
        status: 403,
        body: status(
          `httproutes.gateway.networking.k8s.io "web" is forbidden: User "${NOBODY}" cannot patch resource "httproutes/status" in API group "gateway.networking.k8s.io" in the namespace "shop"`,
          { name: "web", group: "gateway.networking.k8s.io", kind: "httproutes" },
        ),
      });
      // Others may; and the same user may still watch (only list was denied).
      assertEquals((await call(ROUTES)).status, 200);
      api.forbidden.add("list services");
      const services = await call("/api/v1/services");
      assertEquals(
        services.body.message,
        'services is forbidden: User "kubernetes-admin" cannot list resource "services" in API group "" at the cluster scope',
      );
    } finally {
      await api.close();
    }
  },
);

Deno.test(
  "FakeKubeApi onWrite answers first; undefined falls through to the built-in status write",
  opts,
  async () => {
    const seen: string[] = [];
    const { api, call } = await harness({
      onWrite: ({ path }) => {
        seen.push(path);
        return path.includes("/pods/") ? { status: 200, body: { kind: "Pod" } } : undefined;
      },
    });
    try {
      api.upsert("httproutes", route("shop", "web"));
      const pod = await call("/api/v1/namespaces/shop/pods/p/status", {
        method: "PATCH",
        body: {},
      });
      assertEquals(pod, { status: 200, body: { kind: "Pod" } });
      const status = await call(`${routesIn("shop")}/web/status`, {
        method: "PATCH",
        body: { status: accepted(1) },
      });
      assertEquals([status.status, status.body.status], [200, accepted(1)]);
      assertEquals(seen.length, 2);
      assertEquals(api.writes.map((w) => w.status), [200, 200]);
    } finally {
      await api.close();
    }
  },
);

Deno.test(
  "FakeKubeApi serves Services, Gateways and ReferenceGrants with their defaults",
  opts,
  async () => {
    const { api, call } = await harness();
    try {
      api.upsert("services", service({ namespace: "shop", name: "web", ports: [{ port: 8080 }] }));
      api.upsert("gateways", gateway({ namespace: "podgate", name: "edge" }));
      api.upsert(
        "referencegrants",
        referenceGrant({
          namespace: "shop",
          from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "blog" }],
          to: [{ group: "", kind: "Service" }],
        }),
      );
      const services = await call("/api/v1/services");
      assertEquals([services.body.kind, services.body.apiVersion], ["ServiceList", "v1"]);
      const svc = services.body.items[0];
      assertEquals(svc.kind, undefined); // a built-in list's items carry no kind
      assertEquals(svc.spec.ports, [{ port: 8080, protocol: "TCP", targetPort: 8080 }]);
      assertEquals([svc.spec.type, svc.spec.sessionAffinity], ["ClusterIP", "None"]);
      const gw = (await call(`${V1}/namespaces/podgate/gateways/edge`)).body;
      assertEquals(gw.spec.listeners[0].allowedRoutes, { namespaces: { from: "Same" } });
      assertEquals(gw.status.conditions.map((c: Json) => [c.type, c.reason]), [
        ["Accepted", "Pending"],
        ["Programmed", "Pending"],
      ]);
      const grants = await call("/apis/gateway.networking.k8s.io/v1beta1/referencegrants");
      assertEquals(grants.body.kind, "ReferenceGrantList");
      assertEquals(grants.body.items[0].apiVersion, "gateway.networking.k8s.io/v1beta1");
      assertEquals(grants.body.items[0].spec.to, [{ group: "", kind: "Service" }]);
      // The fake serves ReferenceGrants at v1beta1 only (Gateway API v1.5 serves v1 as well).
      assertEquals((await call(`${V1}/referencegrants`)).status, 404);
    } finally {
      await api.close();
    }
  },
);
