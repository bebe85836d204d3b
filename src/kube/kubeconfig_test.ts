import { assertEquals, assertMatch, assertRejects } from "../../tests/support/assert.ts";
import { kubeconfigYaml, testPki, writeKubeconfig } from "../../tests/support/certs.ts";
import { runtime } from "../runtime/mod.ts";
import { kubeconfigConnection } from "./kubeconfig.ts";

const SERVER = "https://127.0.0.1:6443";
const files = { readTextFile: runtime.readTextFile, fileExists: runtime.fileExists };

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "podgate-kubeconfig-test-" });
}

Deno.test("kubeconfigConnection() reads kind's embedded CA, client certificate and key", async () => {
  const pki = await testPki();
  const path = await writeKubeconfig({
    server: SERVER,
    pki,
    client: pki.rsaClient,
    namespace: "shop",
  });
  const connection = await kubeconfigConnection({ paths: [path], ...files });
  assertEquals(connection.server, SERVER);
  assertEquals(connection.namespace, "shop");
  assertEquals(connection.description, `${path} (context kind-podgate)`);
  const { tls, headers } = await connection.credentials();
  assertEquals(tls, { caCerts: [pki.ca], cert: pki.rsaClient.cert, key: pki.rsaClient.key });
  assertEquals(headers, {});
});

Deno.test("kubeconfigConnection() reads certificate files named relative to the kubeconfig", async () => {
  const pki = await testPki();
  const dir = await tempDir();
  await Deno.copyFile(pki.caPath, `${dir}/ca.crt`);
  await Deno.copyFile(pki.ecClient.certPath, `${dir}/user.crt`);
  await Deno.copyFile(pki.ecClient.keyPath, `${dir}/user.key`);
  const yaml = kubeconfigYaml({ server: SERVER, pki, client: pki.ecClient, embed: false })
    .replace(pki.caPath, "ca.crt").replace(pki.ecClient.certPath, "user.crt")
    .replace(pki.ecClient.keyPath, "user.key");
  await Deno.writeTextFile(`${dir}/config`, yaml);
  const connection = await kubeconfigConnection({ paths: [`${dir}/config`], ...files });
  const { tls } = await connection.credentials();
  assertEquals(tls, { caCerts: [pki.ca], cert: pki.ecClient.cert, key: pki.ecClient.key });
});

const TWO_CONTEXTS = (serverA: string, serverB: string) =>
  `apiVersion: v1
kind: Config
current-context: a
clusters:
- name: a
  cluster: {server: "${serverA}", insecure-skip-tls-verify: true}
- name: b
  cluster: {server: "${serverB}/"}
users:
- name: a
  user: {token: token-a}
- name: b
  user: {username: admin, password: secret}
contexts:
- name: a
  context: {cluster: a, user: a}
- name: b
  context: {cluster: b, user: b, namespace: team-b}
`;

Deno.test("kubeconfigConnection() uses the current context, or the one asked for", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/config`, TWO_CONTEXTS("https://a:6443", "https://b:6443"));
  const a = await kubeconfigConnection({ paths: [`${dir}/config`], ...files });
  assertEquals([a.server, a.namespace], ["https://a:6443", undefined]);
  assertEquals(await a.credentials(), {
    tls: { insecureSkipVerify: true },
    headers: { authorization: "Bearer token-a" },
  });
  const b = await kubeconfigConnection({ paths: [`${dir}/config`], context: "b", ...files });
  assertEquals([b.server, b.namespace], ["https://b:6443", "team-b"]);
  assertEquals((await b.credentials()).headers, {
    authorization: `Basic ${btoa("admin:secret")}`,
  });
  const error = await assertRejects(
    () => kubeconfigConnection({ paths: [`${dir}/config`], context: "c", ...files }),
    TypeError,
  );
  assertMatch(error.message, /no context "c" \(known: a, b\)/);
});

Deno.test("kubeconfigConnection() merges KUBECONFIG files: the first to name an entry wins", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/first`, TWO_CONTEXTS("https://first:6443", "https://b:6443"));
  await Deno.writeTextFile(
    `${dir}/second`,
    TWO_CONTEXTS("https://second:6443", "https://b:6443").replace(
      "current-context: a",
      "current-context: b",
    ),
  );
  const connection = await kubeconfigConnection({
    paths: [`${dir}/missing`, `${dir}/first`, `${dir}/second`],
    ...files,
  });
  assertEquals(connection.server, "https://first:6443");
});

Deno.test("kubeconfigConnection() re-reads a tokenFile on the timer and after a 401", async () => {
  const pki = await testPki();
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/token`, "token-1\n");
  const path = await writeKubeconfig({ server: SERVER, pki, tokenFile: `${dir}/token` });
  let now = 0;
  const connection = await kubeconfigConnection({
    paths: [path],
    ...files,
    tokenReloadMs: 1000,
    now: () => now,
  });
  const token = async (refresh = false) =>
    (await connection.credentials({ refresh })).headers.authorization;
  assertEquals(await token(), "Bearer token-1");
  await Deno.writeTextFile(`${dir}/token`, "token-2\n");
  assertEquals(await token(), "Bearer token-1");
  now = 1000;
  assertEquals(await token(), "Bearer token-2");
  await Deno.writeTextFile(`${dir}/token`, "token-3\n");
  assertEquals(await token(true), "Bearer token-3");
});

Deno.test("kubeconfigConnection() gets a token from an exec plugin, and runs it again after a 401", async () => {
  const pki = await testPki();
  const dir = await tempDir();
  // Each run hands out the next token, as a cloud CLI would after the last one expired.
  const plugin = `${dir}/credential-plugin`;
  await Deno.writeTextFile(
    plugin,
    `#!/bin/sh
n=$(cat "${dir}/runs" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "${dir}/runs"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token-%s"}}' $n
`,
  );
  await Deno.chmod(plugin, 0o755);
  const path = await writeKubeconfig({ server: SERVER, pki, exec: { command: plugin } });
  const connection = await kubeconfigConnection({ paths: [path], ...files });
  assertEquals((await connection.credentials()).headers.authorization, "Bearer exec-token-1");
  assertEquals(
    (await connection.credentials({ refresh: true })).headers.authorization,
    "Bearer exec-token-2",
  );
});

Deno.test("kubeconfigConnection() says what went wrong when the exec plugin fails", async () => {
  const pki = await testPki();
  const path = await writeKubeconfig({
    server: SERVER,
    pki,
    exec: { command: "/bin/sh", args: ["-c", "echo 'please run: cloud login' >&2; exit 1"] },
  });
  const error = await assertRejects(() => kubeconfigConnection({ paths: [path], ...files }));
  assertMatch(
    error.message,
    /Cannot get credentials for kubeconfig context "kind-podgate": please run: cloud login/,
  );
});

Deno.test("kubeconfigConnection() names the files it looked for when none exists", async () => {
  const error = await assertRejects(
    () => kubeconfigConnection({ paths: ["/nonexistent/a", "/nonexistent/b"], ...files }),
    TypeError,
  );
  assertEquals(error.message, "Cannot use a kubeconfig: no file at /nonexistent/a, /nonexistent/b");
});
