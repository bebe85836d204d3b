// Backends crash, hang, fail and slow down; clients of the proxy should not notice. Written once,
// run in-process on Deno and through the compiled binary. Each test prints its figures.
import { acceptLoop, serveConnections } from "./accept_loop.ts";
import { assert, assertEquals, assertMatch } from "@std/assert";
import { freePort, type Podgate, spawnPodgate } from "./process.ts";
import type { ProxyTarget, StartProxy } from "./proxy_target.ts";
import { startTestBackend } from "./test_backend.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

export interface LoadResult {
  sent: number;
  statuses: Map<number, number>;
  errors: string[];
  /** The first few non-200 answers, for the failure message. */
  bodies: string[];
  /** Pod name per 200 response. */
  names: Map<string, number>;
}

/** Sends `total` requests, `concurrency` at a time; `path(i)` picks each request's path. */
export async function load(
  base: string,
  total: number,
  concurrency: number,
  { path = () => "/ping", init = () => ({}) as RequestInit, stop = () => false }: {
    path?: (i: number) => string;
    init?: (i: number) => RequestInit;
    stop?: () => boolean;
  } = {},
): Promise<LoadResult> {
  const result: LoadResult = {
    sent: 0,
    statuses: new Map(),
    errors: [],
    bodies: [],
    names: new Map(),
  };
  let next = 0;
  const worker = async () => {
    while (next < total && !stop()) {
      const i = next++;
      result.sent++;
      try {
        const res = await fetch(base + path(i), init(i));
        const text = await res.text();
        result.statuses.set(res.status, (result.statuses.get(res.status) ?? 0) + 1);
        if (res.status !== 200 && result.bodies.length < 5) {
          result.bodies.push(`${res.status} ${text}`);
        }
        if (res.status === 200) {
          try {
            const name = JSON.parse(text).podname;
            if (name) result.names.set(name, (result.names.get(name) ?? 0) + 1);
          } catch { /* not JSON: not a pod answer */ }
        }
      } catch (error) {
        result.errors.push(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

function failures(r: LoadResult): number {
  let n = r.errors.length;
  for (const [status, count] of r.statuses) if (status !== 200) n += count;
  return n;
}

function report(name: string, figures: Record<string, unknown>): void {
  console.log(`  figures: ${name}: ${JSON.stringify(figures)}`);
}

/** A TCP server that accepts connections and never answers. */
/**
 * A server that accepts connections and never answers. `accepted` counts the connections that
 * carried a request (sent a byte): a connect probe, which sends nothing, is not a request.
 */
function blackHole(): { address: string; accepted: () => number; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let requests = 0;
  // Read, never answered, until the proxy or close() ends the connection.
  const served = serveConnections(listener, async (conn) => {
    const buf = new Uint8Array(4096);
    try {
      if ((await conn.read(buf)) === null) return;
      requests++;
      while ((await conn.read(buf)) !== null) { /* never answered */ }
    } catch { /* closed */ }
  });
  return {
    address: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    accepted: () => requests,
    close: () => void served.close(),
  };
}

/** A server that reads a request's headers and the first body bytes, then drops the connection. */
function dyingAfterBody(): { address: string; sawBody: () => boolean; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let saw = false;
  acceptLoop(listener, (conn) => {
    (async () => {
      const buf = new Uint8Array(65536);
      let text = "";
      while (!text.includes("\r\n\r\n") || text.length < text.indexOf("\r\n\r\n") + 10) {
        const n = await conn.read(buf).catch(() => null);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
      }
      saw = text.includes("\r\n\r\n");
      conn.close();
    })();
  });
  return {
    address: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    sawBody: () => saw,
    close: () => listener.close(),
  };
}

/** A proxy in front of a backend that refuses connections and one that answers. */
async function behindRefusingAndGood(
  start: StartProxy,
  body: (proxy: ProxyTarget, dead: string) => Promise<void>,
): Promise<void> {
  const dead = `127.0.0.1:${freePort()}`;
  const good = await startTestBackend("backend-2");
  const proxy = await start({
    PODGATE_DISCOVERY: "static",
    PODGATE_BACKENDS: [dead, good.address].join(","),
  });
  try {
    await body(proxy, dead);
  } finally {
    await proxy.stop();
    await good.close();
  }
}

async function info(proxy: ProxyTarget) {
  return await (await fetch(`${proxy.url}/info`)).json() as {
    backends: Array<{ address: string; state: string; times_ejected: number }>;
  };
}

export function resilienceScenarios(label: string, start: StartProxy): void {
  const t = (name: string, fn: () => Promise<void>) =>
    Deno.test({ name: `[${label}] ${name}`, ...opts, fn });

  t(
    "5,000 GETs while one of three backends is killed and restarted twice: no failed response",
    async () => {
      const ports = [freePort(), freePort(), freePort()];
      const spawnBackend = (i: number): Podgate =>
        spawnPodgate(["backend", "--hostname", "127.0.0.1", "--port", String(ports[i])], {
          env: { POD_NAME: `backend-${i + 1}`, PODGATE_LOG_LEVEL: "warn" },
        });
      const backends = ports.map((_, i) => spawnBackend(i));
      await Promise.all(
        backends.map((b) => b.waitForLog((l) => l.msg === "listening").catch(() => undefined)),
      );
      for (const port of ports) await waitListening(port);
      const proxy = await start({
        PODGATE_DISCOVERY: "static",
        PODGATE_BACKENDS: ports.map((p) => `127.0.0.1:${p}`).join(","),
        PODGATE_OUTLIER__BASE_EJECTION_MS: "200",
      });
      try {
        let done = false;
        const chaos = (async () => {
          for (let round = 0; round < 2 && !done; round++) {
            await new Promise((r) => setTimeout(r, 300));
            backends[1]!.kill("SIGKILL");
            await backends[1]!.status;
            await new Promise((r) => setTimeout(r, 300));
            backends[1] = spawnBackend(1);
            await waitListening(ports[1]!);
          }
        })();
        const result = await load(proxy.url, 5000, 16);
        done = true;
        await chaos;
        report("kill and restart", {
          sent: result.sent,
          failed: failures(result),
          statuses: Object.fromEntries(result.statuses),
          shares: Object.fromEntries(result.names),
        });
        assertEquals(result.sent, 5000);
        const failedLines = proxy.logs().filter((l) => l.msg === "request" && l.status !== 200);
        assertEquals(
          failures(result),
          0,
          `errors: ${[...result.errors.slice(0, 3), ...result.bodies].join("; ")}\n` +
            JSON.stringify(failedLines.slice(0, 5)),
        );
      } finally {
        await proxy.stop();
        await Promise.all(backends.map((b) => b.stop()));
      }
    },
  );

  t(
    "a backend that accepts connections and never answers is ejected; requests go to the others",
    async () => {
      const hole = blackHole();
      const good = await Promise.all([
        startTestBackend("backend-1"),
        startTestBackend("backend-2"),
      ]);
      const proxy = await start({
        PODGATE_DISCOVERY: "static",
        PODGATE_BACKENDS: [hole.address, ...good.map((b) => b.address)].join(","),
        PODGATE_TIMEOUTS__UPSTREAM_HEADERS_MS: "150",
        PODGATE_ACCESS_LOG: "false",
      });
      try {
        const result = await load(proxy.url, 60, 4);
        const state = (await info(proxy)).backends.find((b) => b.address === hole.address);
        report("never answers", {
          sent: result.sent,
          failed: failures(result),
          hole_connections: hole.accepted(),
          hole_state: state?.state,
        });
        assertEquals(failures(result), 0);
        assertEquals(state?.state, "ejected");
        assert(
          hole.accepted() <= 8,
          `the hanging backend kept getting requests: ${hole.accepted()}`,
        );
      } finally {
        await proxy.stop();
        hole.close();
        await Promise.all(good.map((b) => b.close()));
      }
    },
  );

  t("a backend that answers 503 to half its requests: clients see far fewer errors", async () => {
    const backends = await Promise.all([
      startTestBackend("flaky", { failEvery: 2 }),
      startTestBackend("backend-2"),
      startTestBackend("backend-3"),
    ]);
    const proxy = await start({
      PODGATE_DISCOVERY: "static",
      PODGATE_BACKENDS: backends.map((b) => b.address).join(","),
      PODGATE_ACCESS_LOG: "false",
      // Keep it in rotation: this measures retries, not ejection.
      PODGATE_OUTLIER__CONSECUTIVE_SERVER_ERRORS: "0",
    });
    try {
      const result = await load(proxy.url, 600, 8, { path: () => "/work" });
      const backendErrors = Math.floor((backends[0]!.hits.get("/work") ?? 0) / 2);
      const clientErrors = failures(result);
      report("half 503", {
        sent: result.sent,
        flaky_backend_requests: backends[0]!.hits.get("/work"),
        flaky_backend_503s: backendErrors,
        client_failures: clientErrors,
      });
      assert(
        backendErrors >= 50,
        `the flaky backend should have failed often, failed ${backendErrors}`,
      );
      assert(
        clientErrors * 10 <= backendErrors,
        `clients saw ${clientErrors} errors for ${backendErrors} backend 503s`,
      );
    } finally {
      await proxy.stop();
      await Promise.all(backends.map((b) => b.close()));
    }
  });

  for (const strategy of ["round-robin", "ewma"] as const) {
    t(
      `a backend 200 ms slower gets ${
        strategy === "ewma" ? "a small share under ewma" : "a third under round-robin"
      }`,
      async () => {
        const backends = await Promise.all([
          startTestBackend("slow", { delayMs: 200 }),
          startTestBackend("backend-2"),
          startTestBackend("backend-3"),
        ]);
        const proxy = await start({
          PODGATE_DISCOVERY: "static",
          PODGATE_BACKENDS: backends.map((b) => b.address).join(","),
          PODGATE_STRATEGY: strategy,
          PODGATE_ACCESS_LOG: "false",
        });
        try {
          const result = await load(proxy.url, 300, 8, { path: () => "/work" });
          const slow = result.names.get("slow") ?? 0;
          report(`slow backend, ${strategy}`, {
            sent: result.sent,
            failed: failures(result),
            shares: Object.fromEntries(result.names),
          });
          assertEquals(failures(result), 0);
          if (strategy === "round-robin") assertEquals(slow, 100);
          else assert(slow < 30, `ewma sent ${slow} of 300 requests to the slow backend`);
        } finally {
          await proxy.stop();
          await Promise.all(backends.map((b) => b.close()));
        }
      },
    );
  }

  t("a POST whose body was streamed to a backend that dies is not retried: 502", async () => {
    const dying = dyingAfterBody();
    const other = await startTestBackend("backend-2");
    const proxy = await start({
      PODGATE_DISCOVERY: "static",
      PODGATE_BACKENDS: [dying.address, other.address].join(","),
    });
    try {
      const res = await fetch(`${proxy.url}/upload`, {
        method: "POST",
        body: new Uint8Array(256 * 1024).fill(7),
      });
      const body = await res.json();
      report("POST to a dying backend", {
        status: res.status,
        kind: body.kind,
        other_backend_uploads: other.hits.get("/upload") ?? 0,
      });
      assertEquals(res.status, 502);
      assert(dying.sawBody(), "the dying backend should have received the request");
      assertEquals(other.hits.get("/upload"), undefined, "the POST must not be sent twice");
    } finally {
      await proxy.stop();
      dying.close();
      await other.close();
    }
  });

  t(
    "a GET to a backend that refuses connections is retried on another: no error",
    () =>
      behindRefusingAndGood(start, async (proxy, dead) => {
        const result = await load(proxy.url, 20, 1);
        const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
        report("refused backend", { sent: result.sent, failed: failures(result) });
        assertEquals(failures(result), 0);
        assert(
          /podgate_upstream_retries_total [1-9]/.test(metrics),
          "retries are counted in /metrics",
        );
        assert(metrics.includes(`podgate_upstream_errors_total{backend="${dead}",kind="connect"}`));
        if (!label.endsWith("+fetch")) {
          // One connection, kept alive: the load is sequential.
          assertMatch(metrics, /\npodgate_upstream_connections 1\n/);
        }
      }),
  );

  t(
    "a POST to a backend that refuses connections is retried on another with its whole body",
    () =>
      behindRefusingAndGood(start, async (proxy) => {
        const sent = new Uint8Array(300 * 1024).map((_, i) => (i * 31) & 0xff);
        // Round-robin alternates, so some of these meet the refusing backend first.
        for (let i = 0; i < 4; i++) {
          const res = await fetch(`${proxy.url}/echo`, { method: "POST", body: sent });
          assertEquals(res.status, 200);
          const got = new Uint8Array(await res.arrayBuffer());
          assertEquals(got.length, sent.length);
          assert(got.every((b, j) => b === sent[j]), "the echoed body differs from the one sent");
        }
        const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
        assert(/podgate_upstream_retries_total [1-9]/.test(metrics), "some POST was retried");
      }),
  );

  t("SIGTERM during load: /ready turns 503 and no in-flight request fails", async () => {
    const backends = await Promise.all([
      startTestBackend("backend-1"),
      startTestBackend("backend-2"),
    ]);
    const proxy = await start({
      PODGATE_DISCOVERY: "static",
      PODGATE_BACKENDS: backends.map((b) => b.address).join(","),
      PODGATE_TIMEOUTS__DRAIN_DELAY_MS: "400",
      PODGATE_ACCESS_LOG: "false",
    });
    let stopSending = false;
    try {
      const running = load(proxy.url, 100_000, 8, {
        path: (i) => (i % 4 === 0 ? "/slow-headers?ms=150" : "/ping"),
        stop: () => stopSending,
      });
      await new Promise((r) => setTimeout(r, 300));
      const exit = proxy.terminate();
      // Like a load balancer that watches /ready, stop sending once it says 503.
      for (let i = 0; i < 200; i++) {
        const ready = await fetch(`${proxy.url}/ready`).then((r) => (r.body?.cancel(), r.status))
          .catch(() => 0);
        if (ready !== 200) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      stopSending = true;
      const result = await running;
      report("SIGTERM under load", {
        sent: result.sent,
        failed: failures(result),
        exit: await exit,
      });
      assertEquals(
        failures(result),
        0,
        `errors: ${[...result.errors.slice(0, 3), ...result.bodies].join("; ")}`,
      );
      assertEquals(await exit, 0);
    } finally {
      stopSending = true;
      await proxy.stop();
      await Promise.all(backends.map((b) => b.close()));
    }
  });
}

async function waitListening(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
}
