import { assertEquals } from "@std/assert";
import { actualTargets, resolvePlace } from "./actual.ts";
import type { Listener, ListenerBackend } from "./clb_schemas.ts";
import { parseRules } from "./rules.ts";

const rules = parseRules(
  `- load_balancer_id: lb-1
  listeners:
    - {port: 80, protocol: http, rules: [{domain: Shop.Example.com, url: /api, backend: {namespace: n, deployment: d, port: 1}}]}
    - {port: 9000, protocol: tcp, backend: {namespace: n, deployment: d, port: 1}}
`,
  "r",
).rules;
const [l7, l4] = rules as [typeof rules[0], typeof rules[0]];

const listener = (over: Partial<Listener>): Listener => ({
  ListenerId: "lbl-1",
  Protocol: "HTTP",
  Port: 80,
  Rules: [],
  ...over,
});

Deno.test("resolvePlace() finds an L7 rule by domain (any case, or among Domains) and url", () => {
  const listeners = [
    listener({ Rules: [{ LocationId: "loc-other", Domain: "shop.example.com", Url: "/" }] }),
    listener({ ListenerId: "lbl-2", Protocol: "TCP", Port: 9000, Rules: null }),
  ];
  listeners[0]!.Rules!.push({
    LocationId: "loc-api",
    Domain: "a.example.com",
    Domains: ["a.example.com", "shop.example.com"],
    Url: "/api",
  });
  assertEquals(resolvePlace(l7, listeners), {
    ok: true,
    place: { listenerId: "lbl-1", locationId: "loc-api" },
  });
  assertEquals(resolvePlace(l4, listeners), { ok: true, place: { listenerId: "lbl-2" } });
});

Deno.test("resolvePlace() says what is missing, and refuses target groups", () => {
  assertEquals(resolvePlace(l4, [listener({})]), {
    ok: false,
    reason: "lb-1 has no TCP:9000 listener",
  });
  assertEquals(resolvePlace(l7, [listener({})]), {
    ok: false,
    reason: "listener HTTP:80 (lbl-1) has no rule for Shop.Example.com/api",
  });
  const grouped = resolvePlace(l7, [
    listener({
      Rules: [{
        LocationId: "loc-1",
        Domain: "shop.example.com",
        Url: "/api",
        TargetType: "TARGETGROUP",
      }],
    }),
  ]);
  assertEquals(grouped.ok, false);
  const tcpGroup = resolvePlace(l4, [
    listener({ Protocol: "TCP", Port: 9000, TargetType: "TARGETGROUP-V2" }),
  ]);
  assertEquals(
    !tcpGroup.ok && tcpGroup.reason.startsWith("listener TCP:9000 forwards to a target group"),
    true,
  );
});

Deno.test("actualTargets() reads PrivateIpAddresses[0] + Port, with nulls where the API sends them", () => {
  const bound: ListenerBackend[] = [{
    ListenerId: "lbl-1",
    Rules: [{
      LocationId: "loc-api",
      Targets: [{
        Type: "ENI",
        Port: 8080,
        Weight: 20,
        PrivateIpAddresses: ["10.0.0.1"],
        Tag: "podgate",
      }],
    }, { LocationId: "loc-empty", Targets: null }],
    Targets: null,
  }, {
    ListenerId: "lbl-2",
    Rules: null,
    Targets: [{
      Type: "CVM",
      InstanceId: "ins-1",
      Port: 9000,
      PrivateIpAddresses: ["10.0.1.1"],
      Tag: null,
    }],
  }];
  assertEquals(actualTargets(bound, { listenerId: "lbl-1", locationId: "loc-api" }), [
    { ip: "10.0.0.1", port: 8080, weight: 20, type: "ENI", tag: "podgate", instanceId: undefined },
  ]);
  assertEquals(actualTargets(bound, { listenerId: "lbl-1", locationId: "loc-empty" }), []);
  assertEquals(actualTargets(bound, { listenerId: "lbl-2" }), [
    { ip: "10.0.1.1", port: 9000, weight: 10, type: "CVM", tag: "", instanceId: "ins-1" },
  ]);
});
