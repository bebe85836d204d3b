import { assertEquals } from "@std/assert";
import { backendConfigSchema, loadConfig } from "../config/mod.ts";
import { backendApp, podInfoFrom } from "./app.ts";

const { config } = loadConfig(backendConfigSchema, {
  file: { path: "config.json", text: '{"port": 8080, "serviceName": "backend"}' },
});
const pod = podInfoFrom((name) =>
  ({
    POD_NAME: "backend-7d9f-abc",
    POD_IP: "10.244.0.5",
    NAMESPACE: "podgate",
    NODE_NAME: "kind-worker",
  })[name]
);

Deno.test("backendApp() counts /ping requests from 1 and names the pod", async () => {
  const app = backendApp({ config, pod });
  assertEquals(await (await app.request("/ping")).json(), {
    podname: "backend-7d9f-abc",
    count: 1,
  });
  assertEquals(await (await app.request("/ping")).json(), {
    podname: "backend-7d9f-abc",
    count: 2,
  });
});

Deno.test("backendApp() /status shows the Downward API metadata and the config", async () => {
  let now = 1_000;
  const app = backendApp({ config, pod, now: () => now });
  now += 65_000;
  assertEquals(await (await app.request("/status")).json(), {
    podName: "backend-7d9f-abc",
    podIP: "10.244.0.5",
    namespace: "podgate",
    node: "kind-worker",
    serviceName: "backend",
    port: 8080,
    config: {
      port: 8080,
      hostname: "0.0.0.0",
      serviceName: "backend",
      logLevel: "info",
      drainMs: 10_000,
    },
    uptime: "1m5s",
  });
});

Deno.test("backendApp() /echo returns the request body", async () => {
  const app = backendApp({ config, pod });
  const res = await app.request("/echo", {
    method: "POST",
    body: "hello",
    headers: { "content-type": "text/plain" },
  });
  assertEquals([await res.text(), res.headers.get("content-type")], ["hello", "text/plain"]);
});

Deno.test("podInfoFrom() falls back when the Downward API env is missing", () => {
  assertEquals(podInfoFrom(() => undefined), {
    podName: "unknown",
    podIP: "",
    namespace: "",
    node: "",
  });
});
