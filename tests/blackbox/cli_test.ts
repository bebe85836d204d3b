// The commands as a user runs them: exit codes, messages, the demo backend, the admin port.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { PODGATE_BIN, spawnPodgate } from "../support/process.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const t = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name: `[${PODGATE_BIN ? "binary" : "source"}] ${name}`, ...opts, fn });

async function run(args: string[], env: Record<string, string> = {}) {
  const child = spawnPodgate(args, { env });
  const status = await child.status;
  return { code: status.code, logs: child.logs, stderr: child.stderr() };
}

t("version prints the version and the runtime", async () => {
  const { code, logs } = await run(["version"]);
  assertEquals(code, 0);
  assertMatch(String(logs[0]?.text), /^podgate \d+\.\d+\.\d+ \((bun|deno) /);
});

t("--help on each command exits 0 and names its settings", async () => {
  for (const args of [["--help"], ["proxy", "--help"], ["backend", "--help"]]) {
    const { code, logs } = await run(args);
    assertEquals(code, 0, args.join(" "));
    assert(logs.length > 3, `${args.join(" ")} printed help`);
  }
  const proxyHelp = (await run(["proxy", "--help"])).logs.map((l) => l.text).join("\n");
  assertStringIncludes(proxyHelp, "PODGATE_BACKENDS");
});

t("an unknown command exits 2 with the usage", async () => {
  const { code, stderr } = await run(["frobnicate"]);
  assertEquals(code, 2);
  assertStringIncludes(stderr, 'unknown command "frobnicate"');
});

t("a bad config file exits 2 naming the file, the field and what was expected", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/config.json`;
  await Deno.writeTextFile(
    path,
    '{"port": 8080, "backendServiceName": "svc", "backendPort": "HTTP", "prot": 1}',
  );
  const { code, stderr } = await run(["proxy", "--config", path]);
  assertEquals(code, 2);
  assertStringIncludes(stderr, `${path}: backendPort: expected a port number or name, got "HTTP"`);
  assertStringIncludes(stderr, `${path}: unknown key "prot"`);
});

t("a bad environment value exits 2 naming the variable", async () => {
  const { code, stderr } = await run(["proxy"], {
    PODGATE_PORT: "tcp://10.96.0.12:8080",
    PODGATE_BACKENDS: "a:1",
  });
  assertEquals(code, 2);
  assertStringIncludes(stderr, "PODGATE_PORT: port: expected integer 0-65535");
  assertStringIncludes(stderr, "enableServiceLinks: false");
});

t("a missing --config file exits 2", async () => {
  const { code, stderr } = await run(["proxy", "--config", "/nonexistent/podgate.yaml"]);
  assertEquals(code, 2);
  assertStringIncludes(stderr, "/nonexistent/podgate.yaml: cannot read config file");
});

t("backend serves /ping and /status from the Downward API env, and stops on SIGTERM", async () => {
  const child = spawnPodgate(["backend", "--port", "0", "--hostname", "127.0.0.1"], {
    env: { POD_NAME: "backend-x", POD_IP: "10.0.0.9", NAMESPACE: "demo", NODE_NAME: "node-1" },
  });
  try {
    const port = await child.port();
    assertEquals(await (await fetch(`http://127.0.0.1:${port}/ping`)).json(), {
      podname: "backend-x",
      count: 1,
    });
    const status = await (await fetch(`http://127.0.0.1:${port}/status`)).json();
    assertEquals([status.podName, status.podIP, status.namespace, status.node], [
      "backend-x",
      "10.0.0.9",
      "demo",
      "node-1",
    ]);
    child.kill("SIGTERM");
    assertEquals((await child.status).code, 0);
  } finally {
    await child.stop();
  }
});

t("adminPort moves the admin routes off the proxy port", async () => {
  const child = spawnPodgate(["proxy"], {
    env: {
      PODGATE_PORT: "0",
      PODGATE_ADMIN_PORT: "0",
      PODGATE_HOSTNAME: "127.0.0.1",
      PODGATE_BACKENDS: "127.0.0.1:1",
    },
  });
  try {
    const line = await child.waitForLog((l) => l.msg === "listening");
    const health = await fetch(`http://127.0.0.1:${line.admin_port}/health`);
    assertEquals((await health.json()).status, "healthy");
    const shadowed = await fetch(`http://127.0.0.1:${line.port}/health`);
    await shadowed.body?.cancel();
    assertEquals(
      shadowed.status,
      502,
      "/health on the proxy port is the application's (here: a dead backend)",
    );
  } finally {
    await child.stop();
  }
});

t(
  "kubernetes discovery with no cluster and no kubeconfig exits 2 with a clear message",
  async () => {
    const { code, stderr } = await run(["proxy"], {
      PODGATE_BACKEND_SERVICE_NAME: "backend-service",
      HOME: "/nonexistent",
      KUBECONFIG: "",
    });
    assertEquals(code, 2);
    assertStringIncludes(stderr, "podgate proxy: ");
    assert(!stderr.includes("    at "), `no stack trace expected:\n${stderr}`);
  },
);
