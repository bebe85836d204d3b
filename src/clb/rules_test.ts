import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { ConfigError } from "../config/load.ts";
import { parseRules } from "./rules.ts";

// The example from the original tool's README, byte for byte.
const ORIGINAL = `- load_balancer_id: lb-xxxxxxxx
  listeners:
    - port: 80
      protocol: http
      rules:
        - domain: example.com
          url: /api
          backend:
            namespace: default
            deployment: my-app
            port: 8080
`;

function problems(text: string): string[] {
  return assertThrows(() => parseRules(text, "rules.yaml"), ConfigError).problems;
}

Deno.test("parseRules() reads the original tool's rules.yaml unchanged", () => {
  const { rules, warnings } = parseRules(ORIGINAL, "rules.yaml");
  assertEquals(warnings, []);
  assertEquals(rules, [{
    key: "lb-xxxxxxxx/HTTP:80 example.com/api",
    loadBalancerId: "lb-xxxxxxxx",
    protocol: "HTTP",
    port: 80,
    domain: "example.com",
    url: "/api",
    backend: { namespace: "default", deployment: "my-app", port: 8080, weight: 10 },
    source: "[0].listeners[0].rules[0]",
  }]);
});

Deno.test("parseRules() takes the protocol in any case", () => {
  for (const spelling of ["http", "HTTP", "Http"]) {
    const { rules } = parseRules(ORIGINAL.replace("protocol: http", `protocol: ${spelling}`), "r");
    assertEquals(rules[0]?.protocol, "HTTP");
  }
  const { rules } = parseRules(
    "- load_balancer_id: lb-1\n  listeners:\n    - {port: 9000, protocol: tcp, backend: {namespace: ns, deployment: d, port: 9000}}\n",
    "r",
  );
  assertEquals(rules[0]?.protocol, "TCP");
});

Deno.test("parseRules() reads TCP and UDP listeners that carry backend directly", () => {
  const { rules } = parseRules(
    `- load_balancer_id: lb-abc
  listeners:
    - port: 53
      protocol: udp
      backend: {namespace: dns, deployment: coredns, port: 1053, weight: 50, drain_seconds: 30}
    - port: 443
      protocol: https
      rules:
        - {domain: a.example.com, url: /, backend: {namespace: web, deployment: a, port: 8443}}
        - {domain: b.example.com, url: /v2, backend: {namespace: web, deployment: b, port: 8443}}
`,
    "rules.yaml",
  );
  assertEquals(rules.map((r) => [r.key, r.backend.weight, r.backend.drainSeconds, r.source]), [
    ["lb-abc/UDP:53", 50, 30, "[0].listeners[0]"],
    ["lb-abc/HTTPS:443 a.example.com/", 10, undefined, "[0].listeners[1].rules[0]"],
    ["lb-abc/HTTPS:443 b.example.com/v2", 10, undefined, "[0].listeners[1].rules[1]"],
  ]);
  assertEquals(rules[0]?.domain, undefined);
});

Deno.test("parseRules() names the path of a bad field", () => {
  const text = `- load_balancer_id: lb-1
  listeners:
    - port: 80
      protocol: http
      rules: [{domain: a, url: /, backend: {namespace: n, deployment: d, port: 80}}]
    - port: 81
      protocol: http
      rules:
        - domain: b
          url: /
          backend: {namespace: n, deployment: d, port: http}
`;
  assertEquals(problems(text), [
    'rules.yaml: [0].listeners[1].rules[0].backend.port: expected integer 1-65535, got "http"',
  ]);
});

Deno.test("parseRules() says what is missing and where", () => {
  const list = problems(
    "- listeners:\n    - {port: 80, protocol: http}\n    - {port: 81, protocol: tcp, rules: []}\n",
  );
  assertEquals(list, [
    "rules.yaml: [0].load_balancer_id: required, got nothing",
    "rules.yaml: [0].listeners[0].rules: required for HTTP listeners (domain, url, backend), got nothing",
    "rules.yaml: [0].listeners[1].backend: required for TCP listeners (namespace, deployment, port), got nothing",
  ]);
});

Deno.test("parseRules() refuses an unknown protocol and a backend on an L7 listener", () => {
  const list = problems(`- load_balancer_id: lb-1
  listeners:
    - {port: 80, protocol: gopher, backend: {namespace: n, deployment: d, port: 1}}
    - port: 81
      protocol: http
      backend: {namespace: n, deployment: d, port: 1}
      rules: [{domain: a, url: /, backend: {namespace: n, deployment: d, port: 1}}]
`);
  assertEquals(list.length, 2);
  assertStringIncludes(list[0]!, "[0].listeners[0].protocol: expected one of HTTP, HTTPS, TCP");
  assertStringIncludes(list[1]!, "[0].listeners[1].backend: not allowed on HTTP listeners");
});

Deno.test("parseRules() warns about unknown keys instead of failing (the original ignored them)", () => {
  const { rules, warnings } = parseRules(
    ORIGINAL.replace("port: 8080", "port: 8080\n            weigth: 5"),
    "rules.yaml",
  );
  assertEquals(rules.length, 1);
  assertEquals(warnings, [
    "rules.yaml: [0].listeners[0].rules[0].backend.weigth: unknown key, ignored",
  ]);
});

Deno.test("parseRules() refuses two entries for the same place on a CLB", () => {
  const twice = ORIGINAL + ORIGINAL.replace("lb-xxxxxxxx", "lb-xxxxxxxx");
  const [message] = problems(twice);
  assertStringIncludes(message!, "[1].listeners[0].rules[0]: lb-xxxxxxxx/HTTP:80 example.com/api");
  assertStringIncludes(message!, "also configured at [0].listeners[0].rules[0]");
});

Deno.test("parseRules() refuses a file that is not a list, or not YAML", () => {
  assertEquals(problems("load_balancer_id: lb-1\n"), [
    'rules.yaml: (top level): expected a list of load balancers at the top level, got {"load_balancer_id":"lb-1"}',
  ]);
  assertStringIncludes(problems("- [unclosed\n")[0]!, "rules.yaml: cannot parse YAML");
});
