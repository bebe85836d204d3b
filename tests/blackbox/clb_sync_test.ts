// The compiled binary (PODGATE_BIN, built by scripts/build) as the CronJob runs it: `podgate
// clb-sync` against the CLB emulator (TENCENT_CLB_ENDPOINT) and the HTTPS fake Kubernetes API
// (KUBECONFIG with a client certificate). Exit codes, plan lines, the summary line, and timeouts
// that work under Bun. Skipped, visibly, when PODGATE_BIN is not set.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { ClbEmulator, TEST_SECRET_ID, TEST_SECRET_KEY } from "../support/clb_emulator.ts";
import { expectTargets, THREE_RULES } from "../support/clb_harness.ts";
import { FakeCluster } from "../support/clb_kube.ts";
import { type ClusterApi, serveCluster } from "../support/clb_kube_server.ts";
import { type LogLine, PODGATE_BIN, spawnPodgate } from "../support/process.ts";

const ignore = !PODGATE_BIN;
if (ignore) console.log("clb-sync black-box tests ignored: set PODGATE_BIN to the compiled binary");

interface Setup {
  emulator: ClbEmulator;
  cluster: FakeCluster;
  served: ClusterApi;
  dir: string;
  rules: string;
  env: Record<string, string>;
  targets(): { api: string[]; web: string[]; tcp: string[] };
  close(): Promise<void>;
}

async function setup(pods = 10): Promise<Setup> {
  const emulator = new ClbEmulator();
  const { state } = emulator;
  state.addLoadBalancer("lb-abc");
  state.addLoadBalancer("lb-def");
  const http80 = state.addListener("lb-abc", "HTTP", 80);
  const api = state.addRule(http80, "example.com", "/api");
  const web = state.addRule(http80, "example.com", "/web");
  const tcp = state.addListener("lb-def", "TCP", 9000);
  const cluster = new FakeCluster();
  for (const [name, prefix] of [["api", "10.1.0"], ["web", "10.2.0"], ["tcp", "10.3.0"]] as const) {
    cluster.addDeployment("shop", name);
    cluster.scale("shop", name, pods, prefix);
  }
  const served = await serveCluster(cluster);
  const dir = await Deno.makeTempDir({ prefix: "podgate-clb-" });
  const rules = `${dir}/rules.yaml`;
  await Deno.writeTextFile(rules, THREE_RULES);
  const env = {
    HOME: dir,
    KUBECONFIG: served.kubeconfig,
    CLOUD_TENCENT_SECRET_ID: TEST_SECRET_ID,
    CLOUD_TENCENT_SECRET_KEY: TEST_SECRET_KEY,
    TENCENT_REGION: "ap-guangzhou",
    TENCENT_CLB_ENDPOINT: emulator.url,
    PODGATE_CLB__TASK_POLL_MS: "20",
    PODGATE_CLB__RETRY_BASE_MS: "20",
    PODGATE_CLB__RETRY_MAX_MS: "100",
    PODGATE_CLB__RETRY_DEADLINE_MS: "5000",
  };
  return {
    emulator,
    cluster,
    served,
    dir,
    rules,
    env,
    targets: () => ({
      api: emulator.targets("lb-abc", http80.listenerId, api.locationId),
      web: emulator.targets("lb-abc", http80.listenerId, web.locationId),
      tcp: emulator.targets("lb-def", tcp.listenerId),
    }),
    close: async () => {
      await emulator.close();
      await served.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function run(s: Setup, args: string[], env: Record<string, string> = {}) {
  const child = spawnPodgate(["clb-sync", "--rules", s.rules, ...args], {
    env: { ...s.env, ...env },
  });
  const status = await child.status;
  const output = JSON.stringify(child.logs) + child.stderr();
  assert(!output.includes(TEST_SECRET_KEY), "the SecretKey never reaches the output");
  return {
    code: status.code,
    logs: child.logs,
    stderr: child.stderr(),
    summary: child.logs.at(-1) as LogLine,
  };
}

Deno.test({
  name: "binary: first sync registers 30 pods; an idle second sync makes no write call",
  ignore,
  async fn() {
    const s = await setup();
    try {
      const first = await run(s, []);
      assertEquals(first.code, 0, first.stderr);
      assertEquals(s.targets(), {
        api: expectTargets("10.1.0", 8080, 10),
        web: expectTargets("10.2.0", 8080, 10),
        tcp: expectTargets("10.3.0", 9000, 10),
      });
      assertEquals(first.summary.msg, "summary", "the summary is the last line");
      assertEquals(first.summary.registered, 30);
      const plans = first.logs.filter((l) => l.msg === "plan").map((l) => l.text).sort();
      assertEquals(
        plans[0],
        "lb-abc/HTTP:80 example.com/api: +10 register, -0 deregister, 0 unchanged",
      );
      const writes = s.emulator.writeCalls().length;

      const second = await run(s, []);
      assertEquals(second.code, 0);
      assertEquals(second.summary.write_calls, 0);
      assertEquals(s.emulator.writeCalls().length, writes);
      assertEquals(second.summary.api_calls, {
        DescribeLoadBalancers: 1,
        DescribeListeners: 2,
        DescribeTargets: 2,
      });
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "binary: --dry-run writes nothing; a removal past the guard exits 1; --force applies it",
  ignore,
  async fn() {
    const s = await setup(4);
    try {
      const dry = await run(s, ["--dry-run"]);
      assertEquals(dry.code, 0);
      assertEquals(s.emulator.writeCalls(), []);
      assertEquals(dry.summary.planned, 3);
      assertEquals((await run(s, [])).code, 0);

      s.cluster.scale("shop", "web", 1, "10.2.0");
      s.served.publish();
      const refused = await run(s, []);
      assertEquals(refused.code, 1);
      assert(refused.logs.some((l) => l.msg === "deletion_refused" && l.level === "error"));
      const warned = refused.logs.filter((l) => l.msg === "drain" && l.level === "warn");
      assertEquals(warned.length, 3, "the refused drains are printed as warnings");
      assertEquals(s.targets().web, expectTargets("10.2.0", 8080, 4));
      // --force: the three go to weight 0 first; drainSeconds 0 lets the next run remove them.
      assertEquals((await run(s, ["--force"])).code, 0);
      assertEquals(s.targets().web.filter((t) => / w0 podgate:drain:\d+$/.test(t)).length, 3);
      assertEquals((await run(s, [], { PODGATE_DRAIN_SECONDS: "0" })).code, 0);
      assertEquals(s.targets().web, expectTargets("10.2.0", 8080, 1));
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "binary: exit 2 for a missing Deployment (others applied), bad credentials, and bad rules",
  ignore,
  async fn() {
    const s = await setup(2);
    try {
      s.cluster.deployments.delete("shop/web");
      s.served.publish();
      s.served.api.remove("deployments", "shop", "web");
      const missing = await run(s, []);
      assertEquals(missing.code, 2);
      assertEquals(missing.summary.skipped, 1);
      assertEquals(s.targets().api.length, 2);
      assertMatch(
        JSON.stringify(missing.logs.find((l) => l.msg === "rule_skipped")),
        /shop\/web not found/,
      );

      const auth = await run(s, [], { CLOUD_TENCENT_SECRET_KEY: "wrong-key-000" });
      assertEquals(auth.code, 2);
      assertStringIncludes(String(auth.summary.auth_failure), "AuthFailure.SignatureFailure");

      await Deno.writeTextFile(s.rules, THREE_RULES.replace("port: 9000}", "port: http}"));
      const bad = await run(s, []);
      assertEquals(bad.code, 2);
      assertStringIncludes(bad.stderr, "[1].listeners[0].backend.port: expected integer 1-65535");
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "binary: a CLB call that hangs times out (AbortSignal under Bun) and is retried",
  ignore,
  async fn() {
    const s = await setup(2);
    try {
      s.emulator.delayNext("DescribeListeners", 2_000);
      const started = Date.now();
      const result = await run(s, [], { PODGATE_CLB__REQUEST_TIMEOUT_MS: "300" });
      assertEquals(result.code, 0, result.stderr);
      assert(Date.now() - started < 1_800, "did not wait for the hung call");
      assert(result.logs.some((l) => l.msg === "clb_retry" && l.code === "ClientError.Timeout"));
      assertEquals(s.targets().api.length, 2);
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "binary: --watch re-plans after a pod change, serves /health, and exits 0 on SIGTERM",
  ignore,
  async fn() {
    const s = await setup(2);
    const child = spawnPodgate(["clb-sync", "--rules", s.rules, "--watch"], {
      env: {
        ...s.env,
        PODGATE_PORT: "0",
        PODGATE_HOSTNAME: "127.0.0.1",
        PODGATE_DEBOUNCE_MS: "100",
      },
    });
    try {
      const port = await child.port();
      await child.waitForLog((l) => l.msg === "summary");
      assertEquals(s.targets().api.length, 2);
      s.cluster.scale("shop", "api", 3, "10.1.0");
      s.served.publish();
      await child.waitForLog((l) => l.msg === "summary" && l.registered === 1, 10_000);
      assertEquals(s.targets().api, expectTargets("10.1.0", 8080, 3));
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      assertEquals(health.status, 200);
      assertEquals((await health.json()).status, "ok");
      child.kill("SIGTERM");
      assertEquals((await child.status).code, 0);
    } finally {
      await child.stop();
      await s.close();
    }
  },
});
