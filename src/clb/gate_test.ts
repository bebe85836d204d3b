import { assertEquals } from "@std/assert";
import type { GatedPod } from "./desired.ts";
import { gateChanged, gateVerdict, needsHealth, type RuleHealth, type RuleView } from "./gate.ts";
import { parseRules } from "./rules.ts";
import type { ActualTarget } from "./types.ts";

const { rules } = parseRules(
  `
- load_balancer_id: lb-abc
  listeners:
    - {port: 80, protocol: http, rules: [{domain: example.com, url: /, backend: {namespace: shop, deployment: api, port: 8080}}]}
    - {port: 9000, protocol: tcp, backend: {namespace: shop, deployment: api, port: 9000}}
`,
  "rules.yaml",
);
const [http, tcp] = rules as [typeof rules[0], typeof rules[0]];

const pod = (condition?: GatedPod["condition"]): GatedPod => ({
  namespace: "shop",
  name: "api-1",
  uid: "u-1",
  ip: "10.1.0.1",
  eligible: true,
  condition,
});
const target = (port: number, weight = 10): [string, ActualTarget] => [
  `10.1.0.1:${port}`,
  { ip: "10.1.0.1", port, weight, type: "ENI", tag: "podgate" },
];
const view = (
  rule: typeof http,
  targets: Array<[string, ActualTarget]>,
  health: RuleHealth = "unreadable",
): RuleView => ({ rule, readable: true, targets: new Map(targets), health });

Deno.test("gateVerdict() is True once every rule holds the pod with weight > 0", () => {
  const verdict = gateVerdict(pod(), [view(http, [target(8080)]), view(tcp, [target(9000)])]);
  assertEquals(verdict, {
    status: "True",
    reason: "TargetRegistered",
    message: "a target with weight > 0 of lb-abc/HTTP:80 example.com/, lb-abc/TCP:9000",
  });
});

Deno.test("gateVerdict() is False, naming the rule, while a rule lacks the pod or holds it at 0", () => {
  assertEquals(gateVerdict(pod(), [view(http, [target(8080)]), view(tcp, [])]), {
    status: "False",
    reason: "TargetNotRegistered",
    message: "10.1.0.1:9000 is not a target of lb-abc/TCP:9000",
  });
  assertEquals(gateVerdict(pod(), [view(http, [target(8080, 0)]), view(tcp, [])]), {
    status: "False",
    reason: "TargetWeightZero",
    message:
      "10.1.0.1:8080 is a target of lb-abc/HTTP:80 example.com/ at weight 0 (and 1 more rule(s))",
  });
});

Deno.test("gateVerdict() waits for a readable health check on the way to True, not after", () => {
  const unknown = view(http, [target(8080)], new Map([["10.1.0.1:8080", "Unknown"]]));
  assertEquals(gateVerdict(pod(), [unknown])?.reason, "TargetNotHealthy");
  assertEquals(
    gateVerdict(pod(), [view(http, [target(8080)], new Map())])?.message,
    "10.1.0.1:8080 is a target of lb-abc/HTTP:80 example.com/; its health check has no result yet",
  );
  const alive = view(http, [target(8080)], new Map([["10.1.0.1:8080", "Alive"]]));
  assertEquals(gateVerdict(pod(), [alive])?.status, "True");
  const closed = view(http, [target(8080)], new Map([["10.1.0.1:8080", "Close"]]));
  assertEquals(
    gateVerdict(pod(), [closed])?.status,
    "True",
    "no health check: registered is enough",
  );
  const isTrue = pod({ type: "x", status: "True", reason: "TargetRegistered" });
  assertEquals(needsHealth(isTrue, unknown), false);
  assertEquals(
    gateVerdict(isTrue, [view(http, [target(8080)], new Map([["10.1.0.1:8080", "Dead"]]))])
      ?.status,
    "True",
    "a health flap does not pull a Ready pod out",
  );
  assertEquals(gateVerdict(pod(), [view(http, [target(8080)], "unavailable")]), {
    status: "False",
    reason: "RuleNotReadable",
    message: "cannot read the health check of lb-abc/HTTP:80 example.com/",
  });
});

Deno.test("gateVerdict() never says True when a rule could not be read, and keeps what is there", () => {
  const unreadable: RuleView = { rule: tcp, readable: false, reason: "load balancer busy" };
  const views = [view(http, [target(8080)]), unreadable];
  assertEquals(gateVerdict(pod(), views), {
    status: "False",
    reason: "RuleNotReadable",
    message: "cannot read lb-abc/TCP:9000: load balancer busy",
  });
  const wasTrue = pod({ type: "x", status: "True", reason: "TargetRegistered", message: "m" });
  assertEquals(gateVerdict(wasTrue, views), undefined, "an existing condition stays as it is");
  // A rule that positively lacks the pod still says so.
  assertEquals(gateVerdict(pod(), [view(http, []), unreadable])?.reason, "TargetNotRegistered");
});

Deno.test("gateChanged() compares status, reason and message", () => {
  const verdict = gateVerdict(pod(), [view(http, [target(8080)])])!;
  assertEquals(gateChanged(pod(), verdict), true);
  assertEquals(gateChanged(pod({ type: "x", ...verdict }), verdict), false);
  assertEquals(gateChanged(pod({ type: "x", ...verdict, message: "old" }), verdict), true);
  assertEquals(gateChanged(pod(), undefined), false);
});
