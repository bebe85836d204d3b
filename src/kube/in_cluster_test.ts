import { assertEquals, assertRejects } from "../../tests/support/assert.ts";
import { inClusterConnection, serverUrl } from "./in_cluster.ts";

const DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

function memoryFiles(files: Record<string, string>) {
  return {
    files,
    readTextFile: (path: string) =>
      path in files ? Promise.resolve(files[path]!) : Promise.reject(new Error(`no ${path}`)),
    fileExists: (path: string) => Promise.resolve(path in files),
  };
}

const podFiles = () =>
  memoryFiles({
    [`${DIR}/token`]: "token-1\n",
    [`${DIR}/ca.crt`]: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
    [`${DIR}/namespace`]: "shop",
  });

const podEnv = (host = "10.96.0.1", port = "443") => (name: string) =>
  ({ KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port })[name];

Deno.test("serverUrl() brackets an IPv6 host", () => {
  assertEquals(serverUrl("10.96.0.1", "443"), "https://10.96.0.1:443");
  assertEquals(serverUrl("fd00:10:96::1", "443"), "https://[fd00:10:96::1]:443");
  assertEquals(serverUrl("[fd00::1]", "6443"), "https://[fd00::1]:6443");
});

Deno.test("inClusterConnection() reads the service account's token, CA and namespace", async () => {
  const files = podFiles();
  const connection = await inClusterConnection({ env: podEnv("fd00:10:96::1"), ...files });
  assertEquals(connection?.server, "https://[fd00:10:96::1]:443");
  assertEquals(connection?.namespace, "shop");
  assertEquals(connection?.source, "in-cluster");
  const creds = await connection!.credentials();
  assertEquals(creds.headers, { authorization: "Bearer token-1" });
  assertEquals(creds.tls.caCerts, [files.files[`${DIR}/ca.crt`]!.trim()]);
});

Deno.test("inClusterConnection() is undefined outside a pod", async () => {
  assertEquals(await inClusterConnection({ env: () => undefined, ...podFiles() }), undefined);
  assertEquals(await inClusterConnection({ env: podEnv(), ...memoryFiles({}) }), undefined);
});

Deno.test("inClusterConnection() says which variable is wrong", async () => {
  const error = await assertRejects(
    () => inClusterConnection({ env: podEnv("10.96.0.1", "tcp://10.96.0.1:443"), ...podFiles() }),
    TypeError,
  );
  assertEquals(
    error.message,
    "Cannot use the in-cluster config: KUBERNETES_SERVICE_PORT: expected a port number",
  );
});

Deno.test("inClusterConnection() re-reads a rotated token after tokenReloadMs, and at once when asked", async () => {
  const files = podFiles();
  let now = 0;
  const connection = await inClusterConnection({
    env: podEnv(),
    ...files,
    tokenReloadMs: 60_000,
    now: () => now,
  });
  const token = async (refresh = false) =>
    (await connection!.credentials({ refresh })).headers.authorization;
  files.files[`${DIR}/token`] = "token-2";
  now = 59_999;
  assertEquals(await token(), "Bearer token-1");
  now = 60_000;
  assertEquals(await token(), "Bearer token-2");
  files.files[`${DIR}/token`] = "token-3";
  assertEquals(await token(), "Bearer token-2");
  assertEquals(await token(true), "Bearer token-3"); // after a 401
});

Deno.test("inClusterConnection() keeps the last token while a timed re-read fails", async () => {
  const files = podFiles();
  let now = 0;
  const connection = await inClusterConnection({
    env: podEnv(),
    ...files,
    tokenReloadMs: 10,
    now: () => now,
  });
  delete files.files[`${DIR}/token`]; // mid-rotation
  now = 100;
  assertEquals((await connection!.credentials()).headers.authorization, "Bearer token-1");
  await assertRejects(() => connection!.credentials({ refresh: true }));
});
