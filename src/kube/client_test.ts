import { assertEquals, assertMatch, assertRejects } from "../../tests/support/assert.ts";
import { testPki } from "../../tests/support/certs.ts";
import { FakeKubeApi } from "../../tests/support/fake_kube_api.ts";
import { endpointSlice, fixture } from "../../tests/support/kube_fixtures.ts";
import { runtime } from "../runtime/mod.ts";
import { KubeApiError } from "./api.ts";
import { createKubeClient } from "./client.ts";
import type { KubeConnection, KubeCredentials } from "./connection.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const SLICES = "/apis/discovery.k8s.io/v1/namespaces/fixtures/endpointslices";

function connection(server: string, creds: () => KubeCredentials): KubeConnection & {
  refreshes: number;
} {
  const conn = {
    server,
    source: "kubeconfig" as const,
    description: "test",
    namespace: undefined,
    refreshes: 0,
    credentials({ refresh = false } = {}) {
      if (refresh) conn.refreshes++;
      return Promise.resolve(creds());
    },
  };
  return conn;
}

async function setup() {
  const pki = await testPki();
  const fake = await FakeKubeApi.start({
    pki,
    tokens: { "good-token": "system:serviceaccount:fixtures:proxy" },
  });
  fake.upsert(
    "endpointslices",
    endpointSlice("backend-service-a", {
      namespace: "fixtures",
      service: "backend-service",
      pods: [{ name: "pod-1", ip: "10.244.1.1" }],
    }),
  );
  return { pki, fake };
}

Deno.test(
  "createKubeClient() lists with a client certificate whose key is RSA PKCS#1",
  opts,
  async () => {
    const { pki, fake } = await setup();
    try {
      const client = createKubeClient(
        connection(fake.url, () => ({
          tls: { caCerts: [pki.ca], cert: pki.rsaClient.cert, key: pki.rsaClient.key },
          headers: {},
        })),
        { tlsFetch: runtime.tlsFetch },
      );
      const list = await client.getJson(SLICES) as { kind: string; items: unknown[] };
      assertEquals(list.kind, "EndpointSliceList");
      assertEquals(list.items.length, 1);
      assertEquals(fake.requests.at(-1)?.user, "kubernetes-admin");
    } finally {
      await fake.close();
    }
  },
);

Deno.test("createKubeClient() lists with a client certificate whose key is EC", opts, async () => {
  const { pki, fake } = await setup();
  try {
    const client = createKubeClient(
      connection(fake.url, () => ({
        tls: { caCerts: [pki.ca], cert: pki.ecClient.cert, key: pki.ecClient.key },
        headers: {},
      })),
      { tlsFetch: runtime.tlsFetch },
    );
    await client.getJson(SLICES);
    assertEquals(fake.requests.at(-1)?.user, "ec-user");
  } finally {
    await fake.close();
  }
});

Deno.test(
  "createKubeClient() cannot connect with a certificate from a CA the server does not trust",
  opts,
  async () => {
    const { pki, fake } = await setup();
    try {
      const client = createKubeClient(
        connection(fake.url, () => ({
          tls: { caCerts: [pki.ca], cert: pki.strangerClient.cert, key: pki.strangerClient.key },
          headers: {},
        })),
        { tlsFetch: runtime.tlsFetch },
      );
      const error = await assertRejects(() => client.getJson(SLICES), KubeApiError);
      assertEquals(error.status, 0);
    } finally {
      await fake.close();
    }
  },
);

Deno.test(
  "createKubeClient() refuses a server whose certificate its CA did not sign",
  opts,
  async () => {
    const { pki, fake } = await setup();
    try {
      const client = createKubeClient(
        connection(fake.url, () => ({ tls: {}, headers: { authorization: "Bearer good-token" } })),
        { tlsFetch: runtime.tlsFetch },
      );
      const error = await assertRejects(() => client.getJson(SLICES), KubeApiError);
      assertEquals(error.reason, "ConnectionFailed");
      assertEquals(pki.ca.length > 0, true);
    } finally {
      await fake.close();
    }
  },
);

Deno.test(
  "createKubeClient() re-reads the credentials once after a 401 and retries",
  opts,
  async () => {
    const { pki, fake } = await setup();
    try {
      // The token rotated on disk: only a forced re-read (after the 401) sees the new one.
      const conn = connection(fake.url, () => ({ tls: { caCerts: [pki.ca] }, headers: {} }));
      conn.credentials = ({ refresh = false } = {}) => {
        if (refresh) conn.refreshes++;
        const token = refresh ? "good-token" : "stale-token";
        return Promise.resolve({
          tls: { caCerts: [pki.ca] },
          headers: { authorization: `Bearer ${token}` },
        });
      };
      const client = createKubeClient(conn, { tlsFetch: runtime.tlsFetch });
      await client.getJson(SLICES);
      assertEquals(conn.refreshes, 1);
      assertEquals(fake.requests.map((r) => r.status), [401, 200]);
    } finally {
      await fake.close();
    }
  },
);

Deno.test(
  "createKubeClient() fails with 401 Unauthorized when the fresh token is refused too",
  opts,
  async () => {
    const { pki, fake } = await setup();
    try {
      const conn = connection(fake.url, () => ({
        tls: { caCerts: [pki.ca] },
        headers: { authorization: "Bearer revoked" },
      }));
      const client = createKubeClient(conn, { tlsFetch: runtime.tlsFetch });
      const error = await assertRejects(() => client.getJson(SLICES), KubeApiError);
      assertEquals([error.status, error.reason], [401, "Unauthorized"]);
      assertEquals(conn.refreshes, 1);
    } finally {
      await fake.close();
    }
  },
);

Deno.test("createKubeClient() surfaces the RBAC verb and resource of a 403", opts, async () => {
  const { pki, fake } = await setup();
  try {
    fake.forbidden.add("list endpointslices");
    const client = createKubeClient(
      connection(fake.url, () => ({
        tls: { caCerts: [pki.ca] },
        headers: { authorization: "Bearer good-token" },
      })),
      { tlsFetch: runtime.tlsFetch },
    );
    const error = await assertRejects(() => client.getJson(SLICES), KubeApiError);
    assertEquals([error.status, error.reason], [403, "Forbidden"]);
    assertMatch(
      error.message,
      /User "system:serviceaccount:fixtures:proxy" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "fixtures"/,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("createKubeClient() reports a 404 with the server's message", opts, async () => {
  const { pki, fake } = await setup();
  try {
    const client = createKubeClient(
      connection(
        fake.url,
        () => ({ tls: { caCerts: [pki.ca] }, headers: { authorization: "Bearer good-token" } }),
      ),
      { tlsFetch: runtime.tlsFetch },
    );
    const error = await assertRejects(
      () => client.getJson("/apis/apps/v1/namespaces/fixtures/deployments/missing"),
      KubeApiError,
    );
    assertEquals(error.status, 404);
    assertMatch(error.message, new RegExp(fixture("notfound-404.json").message));
  } finally {
    await fake.close();
  }
});

Deno.test("createKubeClient() says it cannot reach a server that is down", opts, async () => {
  const { pki, fake } = await setup();
  await fake.down();
  const client = createKubeClient(
    connection(fake.url, () => ({ tls: { caCerts: [pki.ca] }, headers: {} })),
    { tlsFetch: runtime.tlsFetch },
  );
  const error = await assertRejects(() => client.getJson(SLICES), KubeApiError);
  assertEquals([error.status, error.reason], [0, "ConnectionFailed"]);
  assertMatch(error.message, /cannot reach the API server at https:\/\/127\.0\.0\.1:/);
});

Deno.test("createKubeClient() gives up on a GET after requestTimeoutMs", opts, async () => {
  // Answers only when the client has gone away.
  const hanging = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) =>
      new Promise<Response>((resolve) =>
        req.signal.addEventListener("abort", () => resolve(new Response("late")))
      ),
  );
  try {
    const client = createKubeClient(
      connection(`http://127.0.0.1:${hanging.addr.port}`, () => ({ tls: {}, headers: {} })),
      { tlsFetch: runtime.tlsFetch, requestTimeoutMs: 50 },
    );
    const error = await assertRejects(() => client.getJson(SLICES), KubeApiError);
    assertEquals(error.reason, "Timeout");
  } finally {
    await hanging.shutdown();
  }
});

Deno.test(
  "createKubeClient() openStream() keeps a watch body open past requestTimeoutMs",
  opts,
  async () => {
    const body = new TransformStream<Uint8Array, Uint8Array>();
    const writer = body.writable.getWriter();
    const encode = (text: string) => new TextEncoder().encode(text);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response(body.readable, { headers: { "content-type": "application/json" } }),
    );
    try {
      const client = createKubeClient(
        connection(`http://127.0.0.1:${server.addr.port}`, () => ({ tls: {}, headers: {} })),
        // Long enough for the headers to arrive on a loaded machine (50 ms did not, once, in CI).
        { tlsFetch: runtime.tlsFetch, requestTimeoutMs: 400 },
      );
      void writer.write(encode('{"type":"ADDED"}\n')); // resolves once read
      const response = await client.openStream(`${SLICES}?watch=true`);
      const reader = response.body!.getReader();
      assertEquals(new TextDecoder().decode((await reader.read()).value), '{"type":"ADDED"}\n');
      await new Promise((r) => setTimeout(r, 1200)); // three request timeouts
      void writer.write(encode('{"type":"DELETED"}\n'));
      assertEquals(new TextDecoder().decode((await reader.read()).value), '{"type":"DELETED"}\n');
      await reader.cancel();
    } finally {
      await writer.close().catch(() => {});
      await server.shutdown();
    }
  },
);
