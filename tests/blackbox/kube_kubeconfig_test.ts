// The compiled binary (PODGATE_BIN) as a laptop runs it against kind: `podgate proxy` with
// KUBECONFIG naming a kubeconfig whose CA, client certificate and RSA key are embedded as `*-data`,
// against the fake API server, in front of real backends. Run as UID 1001 when the suite can.
import { assert, assertEquals } from "../support/assert.ts";
import {
  eventually,
  expectRotation,
  FakeCluster,
  getJson,
  pings,
  POD_NAMES,
  SERVICE,
} from "../support/fake_kube_cluster.ts";
import { canDropPrivileges, PODGATE_BIN, spawnPodgate } from "../support/process.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const [A, B, C] = POD_NAMES as [string, string, string];

/** Makes the kubeconfig readable by the unprivileged user the binary may run as. */
async function readableByAll(path: string): Promise<void> {
  await Deno.chmod(path.slice(0, path.lastIndexOf("/")), 0o755);
  await Deno.chmod(path, 0o644);
}

if (!PODGATE_BIN) {
  Deno.test({
    name:
      "[binary] kube discovery through a kind-style kubeconfig (skipped: PODGATE_BIN is not set)",
    ignore: true,
    fn() {},
  });
} else {
  Deno.test(
    "[binary] podgate proxy follows EndpointSlices through a kind-style kubeconfig",
    opts,
    async () => {
      const cluster = await FakeCluster.start();
      cluster.scale(3);
      const kubeconfig = await cluster.kubeconfig();
      await readableByAll(kubeconfig);
      const asUser = canDropPrivileges() ? 1001 : undefined;
      const proxy = spawnPodgate(["proxy"], {
        env: {
          KUBECONFIG: kubeconfig,
          NAMESPACE: "",
          PODGATE_PORT: "0",
          PODGATE_HOSTNAME: "127.0.0.1",
          PODGATE_BACKEND_SERVICE_NAME: SERVICE,
          PODGATE_BACKEND_PORT: "http",
          PODGATE_ACCESS_LOG: "false",
          PODGATE_KUBERNETES__BACKOFF_INITIAL_MS: "20",
          PODGATE_KUBERNETES__BACKOFF_MAX_MS: "200",
        },
        ...(asUser !== undefined ? { asUser, cwd: "/" } : {}),
      });
      try {
        const url = `http://127.0.0.1:${await proxy.port()}`;
        await expectRotation(url, cluster.addresses([A, B, C]));
        assertEquals(await pings(url, 3), [A, B, C].sort());
        cluster.scale(2);
        await expectRotation(url, cluster.addresses([A, B]));
        assertEquals(await pings(url, 4), [A, A, B, B].sort());
        assertEquals((await getJson(`${url}/ready`)).status, 200);
        const connected = await proxy.waitForLog((l) => l.msg === "kube_connection");
        assertEquals([connected.source, connected.namespace], ["kubeconfig", "fixtures"]);
        await eventually(() => assert(proxy.logs.some((l) => l.msg === "backend_removed")));
        assert(cluster.api.requests.every((r) => r.user === "kubernetes-admin"));
      } finally {
        await proxy.stop();
        await cluster.close();
      }
    },
  );
}
