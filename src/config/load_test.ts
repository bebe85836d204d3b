import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "@std/assert";
import {
  backendConfigSchema,
  ConfigError,
  loadConfig,
  parseConfigFile,
  proxyConfigSchema,
} from "./mod.ts";

const file = (path: string, text: string) => ({ path, text });

function problems(fn: () => unknown): string[] {
  const error = assertThrows(fn, ConfigError);
  return error.problems;
}

Deno.test("loadConfig() reads the seed's load balancer config unchanged", () => {
  const { config } = loadConfig(proxyConfigSchema, {
    file: file(
      "config.json",
      '{"port": 8080, "backendServiceName": "backend-service", "backendPort": 8080}',
    ),
  });
  assertEquals(config.port, 8080);
  assertEquals(config.backendServiceName, "backend-service");
  assertEquals(config.backendPort, 8080);
  assertEquals(config.discovery, "kubernetes");
});

Deno.test("loadConfig() reads the seed's backend config unchanged", () => {
  const { config } = loadConfig(backendConfigSchema, {
    file: file("/etc/config/config.json", '{"port": 8080, "serviceName": "backend"}'),
  });
  assertEquals(config.serviceName, "backend");
  assertEquals(config.port, 8080);
});

Deno.test("loadConfig() layers defaults, file, env and flags, later wins", async () => {
  const yaml = "port: 7000\nbackends: [a:1]\ntimeouts:\n  drainMs: 5\n";
  const { config } = loadConfig(proxyConfigSchema, {
    file: await parseConfigFile(file("config.yaml", yaml)),
    env: { PODGATE_PORT: "7001", PODGATE_TIMEOUTS__UPSTREAM_HEADERS_MS: "250" },
    flags: { port: "7002" },
  });
  assertEquals(config.port, 7002);
  assertEquals(config.backends, ["a:1"]);
  assertEquals(config.timeouts.drainMs, 5);
  assertEquals(config.timeouts.upstreamHeadersMs, 250);
  assertEquals(config.timeouts.upstreamIdleMs, 60_000, "untouched timers keep production defaults");
  assertEquals(config.discovery, "static");
});

Deno.test("loadConfig() takes PODGATE_BACKENDS and PODGATE_DISCOVERY from the environment", () => {
  const { config } = loadConfig(proxyConfigSchema, {
    env: { PODGATE_DISCOVERY: "static", PODGATE_BACKENDS: "127.0.0.1:9001, 127.0.0.1:9002" },
  });
  assertEquals(config.backends, ["127.0.0.1:9001", "127.0.0.1:9002"]);
  assertEquals(config.discovery, "static");
});

Deno.test("loadConfig() names the file, the field and the value of a bad setting", () => {
  const [message] = problems(() =>
    loadConfig(proxyConfigSchema, {
      file: file("config.json", '{"backendServiceName": "svc", "backendPort": "HTTP"}'),
    })
  );
  assertEquals(message, 'config.json: backendPort: expected a port number or name, got "HTTP"');
});

Deno.test("loadConfig() names the env variable of a bad setting", () => {
  const [message] = problems(() =>
    loadConfig(proxyConfigSchema, { env: { PODGATE_PORT: "http", PODGATE_BACKENDS: "a:1" } })
  );
  assertEquals(message, 'PODGATE_PORT: port: expected integer 0-65535, got "http"');
});

Deno.test("loadConfig() names the flag of a bad setting", () => {
  const [message] = problems(() =>
    loadConfig(proxyConfigSchema, { flags: { port: "70000", backends: "a:1" } })
  );
  assertEquals(message, "--port: port: expected integer 0-65535, got 70000");
});

Deno.test("loadConfig() explains a Kubernetes service-link value", () => {
  const [message] = problems(() =>
    loadConfig(proxyConfigSchema, {
      env: { PODGATE_PORT: "tcp://10.96.0.12:8080", PODGATE_BACKENDS: "a:1" },
    })
  );
  assertMatch(message!, /^PODGATE_PORT: port: .*enableServiceLinks: false/);
});

Deno.test("loadConfig() rejects unknown keys in a file, naming each", async () => {
  const yaml = await parseConfigFile(
    file("cfg.yaml", "backends: [a:1]\nprot: 80\ntimeouts:\n  drainMS: 1\n"),
  );
  const found = problems(() => loadConfig(proxyConfigSchema, { file: yaml }));
  assert(found.includes('cfg.yaml: unknown key "prot"'), found.join("\n"));
  assert(found.includes('cfg.yaml: unknown key "drainMS" in timeouts'), found.join("\n"));
});

Deno.test("loadConfig() only warns about unknown PODGATE_* variables", () => {
  const { warnings } = loadConfig(proxyConfigSchema, {
    env: { PODGATE_BACKENDS: "a:1", PODGATE_SERVICE_PORT: "tcp://10.0.0.1:80", OTHER: "x" },
  });
  assertEquals(warnings.length, 1);
  assertMatch(warnings[0]!, /^PODGATE_SERVICE_PORT: not a setting, ignored .*enableServiceLinks/);
});

Deno.test("loadConfig() requires a discovery source", () => {
  const [message] = problems(() => loadConfig(proxyConfigSchema, {}));
  assertMatch(message!, /discovery: set backends .* or backendServiceName/);
});

Deno.test("loadConfig() requires backendServiceName for kubernetes discovery", () => {
  const [message] = problems(() =>
    loadConfig(proxyConfigSchema, { env: { PODGATE_DISCOVERY: "kubernetes" } })
  );
  assertMatch(message!, /backendServiceName: required when discovery is kubernetes/);
});

Deno.test("loadConfig() reports a file that does not parse", () => {
  const [message] = problems(() =>
    loadConfig(proxyConfigSchema, { file: file("config.json", "{port: 1") })
  );
  assertMatch(message!, /^config\.json: cannot parse/);
});

Deno.test("loadConfig() returns a frozen config", () => {
  const { config } = loadConfig(proxyConfigSchema, { env: { PODGATE_BACKENDS: "a:1" } });
  assert(Object.isFrozen(config));
  assert(Object.isFrozen(config.timeouts));
  assert(Object.isFrozen(config.backends));
});

Deno.test("loadConfig() rejects an unknown flag", () => {
  const [message] = problems(() => loadConfig(proxyConfigSchema, { flags: { prot: "1" } }));
  assertEquals(message, "--prot: unknown flag");
});

Deno.test("parseConfigFile() names the file whose YAML does not parse", async () => {
  const error = await assertRejects(
    () => parseConfigFile(file("config.yaml", "port: [1\n")),
    ConfigError,
  );
  assertMatch(error.problems[0]!, /^config\.yaml: cannot parse/);
});
