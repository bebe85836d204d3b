import { assertEquals, assertRejects } from "@std/assert";
import { KubeApiError } from "./api.ts";
import type { KubeConnection } from "./connection.ts";
import { createKubePatcher } from "./patch.ts";

function connection(tokens: string[]): KubeConnection & { reads: boolean[] } {
  const reads: boolean[] = [];
  return {
    server: "https://127.0.0.1:6443",
    source: "kubeconfig",
    description: "test",
    namespace: undefined,
    reads,
    credentials({ refresh = false } = {}) {
      reads.push(refresh);
      return Promise.resolve({
        tls: {},
        headers: {
          authorization: `Bearer ${tokens[Math.min(reads.length - 1, tokens.length - 1)]}`,
        },
      });
    },
  };
}

Deno.test("createKubePatcher() sends a PATCH with the patch type and re-reads the token after a 401", async () => {
  const seen: Array<
    { method?: string; type?: string | null; auth?: string | null; body?: string }
  > = [];
  const fetchFn = ((url: string, init: RequestInit) => {
    const headers = new Headers(init.headers);
    seen.push({
      method: init.method,
      type: headers.get("content-type"),
      auth: headers.get("authorization"),
      body: String(init.body),
    });
    assertEquals(url, "https://127.0.0.1:6443/api/v1/namespaces/shop/pods/a/status");
    if (headers.get("authorization") === "Bearer old") {
      return Promise.resolve(new Response('{"kind":"Status","code":401}', { status: 401 }));
    }
    return Promise.resolve(Response.json({ kind: "Pod" }));
  }) as typeof fetch;
  const conn = connection(["old", "new"]);
  const patcher = createKubePatcher(conn, { tlsFetch: () => fetchFn });
  const answer = await patcher.patchJson("/api/v1/namespaces/shop/pods/a/status", { status: {} });
  assertEquals(answer, { kind: "Pod" });
  assertEquals(conn.reads, [false, true]);
  assertEquals(seen.map((s) => [s.method, s.type, s.auth]), [
    ["PATCH", "application/strategic-merge-patch+json", "Bearer old"],
    ["PATCH", "application/strategic-merge-patch+json", "Bearer new"],
  ]);
  assertEquals(seen[1]?.body, '{"status":{}}');
});

Deno.test("createKubePatcher() turns a Status answer into a KubeApiError", async () => {
  const forbidden = {
    kind: "Status",
    status: "Failure",
    message: 'pods "a" is forbidden: User "x" cannot patch resource "pods/status"',
    reason: "Forbidden",
    code: 403,
  };
  const patcher = createKubePatcher(connection(["t"]), {
    tlsFetch: () =>
      (() => Promise.resolve(Response.json(forbidden, { status: 403 }))) as typeof fetch,
  });
  const error = await assertRejects(() => patcher.patchJson("/p", {}), KubeApiError);
  assertEquals([error.status, error.reason], [403, "Forbidden"]);
});
