// Wires a clb-sync pass for the tests: the CLB emulator, a fake cluster, the real SDK transport
// (real TC3 signing) pointed at the emulator, and short timers, so every scenario runs in
// milliseconds against the same code production runs.
import { type ClbClient, createClbClient } from "../../src/clb/clb_client.ts";
import { reconcile, type ReconcileOptions } from "../../src/clb/reconcile.ts";
import { parseRules } from "../../src/clb/rules.ts";
import { createSdkTransport } from "../../src/clb/sdk_transport.ts";
import type { SyncResult } from "../../src/clb/summary.ts";
import type { RuleSpec } from "../../src/clb/types.ts";
import { memoryLogger } from "../../src/log.ts";
import {
  ClbEmulator,
  type EmulatorOptions,
  TEST_SECRET_ID,
  TEST_SECRET_KEY,
} from "./clb_emulator.ts";
import type { EmListener, EmRule } from "./clb_state.ts";
import { FakeCluster } from "./clb_kube.ts";

/** Client timers short enough for tests, long enough never to fire by accident. */
export const FAST_CLIENT = {
  timeoutMs: 2_000,
  retryBaseMs: 5,
  retryMaxMs: 40,
  retryDeadlineMs: 5_000,
  taskPollMs: 25,
  taskTimeoutMs: 5_000,
};

export async function sdkClient(
  emulator: ClbEmulator,
  options: Parameters<typeof createClbClient>[1] = {},
  secretKey = TEST_SECRET_KEY,
): Promise<ClbClient> {
  const transport = await createSdkTransport({
    secretId: TEST_SECRET_ID,
    secretKey,
    region: "ap-beijing",
    endpoint: emulator.url,
  });
  return createClbClient(transport, { ...FAST_CLIENT, ...options });
}

/** Three rules over two load balancers: two L7 rules on lb-abc HTTP:80, one L4 on lb-def TCP:9000. */
export const THREE_RULES = `
- load_balancer_id: lb-abc
  listeners:
    - port: 80
      protocol: http
      rules:
        - domain: example.com
          url: /api
          backend: {namespace: shop, deployment: api, port: 8080}
        - domain: example.com
          url: /web
          backend: {namespace: shop, deployment: web, port: 8080}
- load_balancer_id: lb-def
  listeners:
    - port: 9000
      protocol: TCP
      backend: {namespace: shop, deployment: tcp, port: 9000}
`;

export interface World {
  emulator: ClbEmulator;
  cluster: FakeCluster;
  rules: RuleSpec[];
  http80: EmListener;
  api: EmRule;
  web: EmRule;
  tcp9000: EmListener;
  client: ClbClient;
  logs: ReturnType<typeof memoryLogger>["lines"];
  /** The pass's clock: Date.now unless the test sets it. */
  clock: { now: () => number };
  /** Runs one pass with the world's client and cluster (the gate patches the cluster's pods). */
  sync(options?: ReconcileOptions): Promise<SyncResult>;
  /** Targets on the three places, as `ip:port wN tag` strings. */
  targets(): { api: string[]; web: string[]; tcp: string[] };
  close(): Promise<void>;
}

/** The 3-rule world with 10 Ready pods per Deployment (30 pods). */
export async function threeRuleWorld(
  {
    pods = 10,
    emulator: emulatorOptions = {},
    rulesText = THREE_RULES,
    client: clientOptions = {},
  }: {
    pods?: number;
    emulator?: EmulatorOptions;
    rulesText?: string;
    client?: Parameters<typeof createClbClient>[1];
  } = {},
): Promise<World> {
  const emulator = new ClbEmulator(emulatorOptions);
  const { state } = emulator;
  state.addLoadBalancer("lb-abc", "web-clb");
  state.addLoadBalancer("lb-def", "tcp-clb");
  const http80 = state.addListener("lb-abc", "HTTP", 80);
  const api = state.addRule(http80, "example.com", "/api");
  const web = state.addRule(http80, "example.com", "/web");
  const tcp9000 = state.addListener("lb-def", "TCP", 9000);

  const cluster = new FakeCluster();
  for (const [name, prefix] of [["api", "10.1.0"], ["web", "10.2.0"], ["tcp", "10.3.0"]] as const) {
    cluster.addDeployment("shop", name);
    cluster.scale("shop", name, pods, prefix);
  }
  const logger = memoryLogger();
  const client = await sdkClient(emulator, { logger, ...clientOptions });
  const { rules } = parseRules(rulesText, "rules.yaml");
  const clock = { now: () => Date.now() };
  return {
    emulator,
    cluster,
    rules: [...rules],
    http80,
    api,
    web,
    tcp9000,
    client,
    logs: logger.lines,
    clock,
    sync: (options = {}) => {
      const kube = cluster.kube();
      return reconcile(rules, { kube, pods: kube, clb: client, logger, now: clock.now }, options);
    },
    targets: () => ({
      api: emulator.targets("lb-abc", http80.listenerId, api.locationId),
      web: emulator.targets("lb-abc", http80.listenerId, web.locationId),
      tcp: emulator.targets("lb-def", tcp9000.listenerId),
    }),
    close: () => emulator.close(),
  };
}

/** `10.1.0.1:8080 w10 podgate` … for `count` pods of a prefix. */
export function expectTargets(
  prefix: string,
  port: number,
  count: number,
  suffix = "w10 podgate",
): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}.${i + 1}:${port} ${suffix}`).sort();
}
