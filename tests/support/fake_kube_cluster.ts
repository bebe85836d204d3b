// A small fake cluster for Kubernetes discovery tests: the fake API server plus real `podgate
// backend` apps standing in for the pods of Service `backend-service` in namespace `fixtures`.
// EndpointSlices can only name loopback addresses here, so each pod gets its own 127.0.0.x and
// all share one port, as pods share a containerPort; the Service has one slice, as in the traces.
import { backendApp } from "../../src/backend/app.ts";
import { assertEquals } from "./assert.ts";
import { backendConfigSchema, loadConfig } from "../../src/config/mod.ts";
import { type RunningServer, runtime } from "../../src/runtime/mod.ts";
import { type ClientCert, type TestPki, testPki, writeKubeconfig } from "./certs.ts";
import { FakeKubeApi, type FakeKubeApiOptions } from "./fake_kube_api.ts";
import { endpointSlice } from "./kube_fixtures.ts";

export const NAMESPACE = "fixtures";
export const SERVICE = "backend-service";
/** The pods of the recorded traces, in the order they appeared. */
export const POD_NAMES = ["fx6ft", "j4fd8", "pzl6c", "7htns", "jklls", "mfzjp"]
  .map((suffix) => `backend-86d8cb5f9-${suffix}`);

export interface FakePodState {
  pod: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export class FakeCluster {
  readonly api: FakeKubeApi;
  readonly pki: TestPki;
  readonly port: number;
  readonly #servers: RunningServer[];
  readonly #ips: Map<string, string>;

  private constructor(
    api: FakeKubeApi,
    pki: TestPki,
    port: number,
    servers: RunningServer[],
    ips: Map<string, string>,
  ) {
    this.api = api;
    this.pki = pki;
    this.port = port;
    this.#servers = servers;
    this.#ips = ips;
  }

  /** Starts the API server and one backend per pod name; no EndpointSlice exists yet. */
  static async start(options: Partial<FakeKubeApiOptions> = {}): Promise<FakeCluster> {
    const pki = await testPki();
    const api = await FakeKubeApi.start({ pki, ...options });
    for (let attempt = 0;; attempt++) {
      const servers: RunningServer[] = [];
      const ips = new Map<string, string>();
      let port = 0;
      try {
        for (const [i, name] of POD_NAMES.entries()) {
          const ip = `127.0.0.${i + 2}`;
          const app = backendApp({
            config:
              loadConfig(backendConfigSchema, { env: { PODGATE_SERVICE_NAME: SERVICE } }).config,
            pod: { podName: name, podIP: ip, namespace: NAMESPACE, node: "fake-node-1" },
          });
          // The first one picks a free port; the others take the same port on their own address.
          const server = await runtime.serve((req) => app.fetch(req), { port, hostname: ip });
          port = server.port;
          servers.push(server);
          ips.set(name, ip);
        }
        return new FakeCluster(api, pki, port, servers, ips);
      } catch (error) {
        await Promise.all(servers.map((s) => s.close()));
        if (attempt >= 4) throw error;
      }
    }
  }

  /** `ip:port` of each named pod, as the proxy reports it. */
  addresses(pods: readonly string[]): string[] {
    return pods.map((pod) => `${this.#ips.get(pod)}:${this.port}`);
  }

  /** Publishes the Service's EndpointSlice with these pods in these states. */
  setEndpoints(states: readonly FakePodState[]): void {
    this.api.upsert(
      "endpointslices",
      endpointSlice(`${SERVICE}-rj9xr`, {
        namespace: NAMESPACE,
        service: SERVICE,
        pods: states.map(({ pod, ...state }) => ({ name: pod, ip: this.#ips.get(pod)!, ...state })),
        port: { name: "http", port: this.port },
      }),
    );
  }

  /** The first `count` pods, all ready (what the Deployment controller does when scaling). */
  scale(count: number): string[] {
    const pods = POD_NAMES.slice(0, count);
    this.setEndpoints(pods.map((pod) => ({ pod })));
    return pods;
  }

  /** A kubeconfig for this API server, kind's way: everything embedded as `*-data`. */
  kubeconfig(client: ClientCert = this.pki.rsaClient, embed = true): Promise<string> {
    return writeKubeconfig({
      server: this.api.url,
      pki: this.pki,
      client,
      embed,
      namespace: NAMESPACE,
    });
  }

  /** A service account directory (token, ca.crt, namespace) as a pod has it. */
  async serviceAccount(token: string): Promise<string> {
    const dir = await Deno.makeTempDir({ prefix: "podgate-sa-" });
    await Deno.writeTextFile(`${dir}/token`, token);
    await Deno.writeTextFile(`${dir}/ca.crt`, this.pki.ca);
    await Deno.writeTextFile(`${dir}/namespace`, NAMESPACE);
    return dir;
  }

  async close(): Promise<void> {
    await this.api.close();
    await Promise.all(this.#servers.map((s) => s.close()));
  }
}

/** Polls `check` until it returns without throwing; rethrows its last error after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

// What a client of the proxy sees.

export async function getJson(
  url: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

/** The backends `turns` requests to /debug/next-backend were given. */
export async function rotation(url: string, turns: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < turns; i++) {
    out.push(String((await getJson(`${url}/debug/next-backend`)).body.selected));
  }
  return out;
}

/** Waits until the rotation is exactly `expected` (every one of them, nothing else). */
export async function expectRotation(url: string, expected: string[]): Promise<void> {
  await eventually(async () => {
    const seen = [...new Set(await rotation(url, expected.length * 2))].sort();
    assertEquals(seen, [...expected].sort());
  });
}

/** The pod names that answered `count` GET /ping through the proxy. */
export async function pings(url: string, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const { status, body } = await getJson(`${url}/ping`);
    assertEquals(status, 200);
    names.push(String(body.podname));
  }
  return names.sort();
}
