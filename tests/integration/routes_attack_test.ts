// Hostile requests against host and path routes, in-process on Deno with each upstream client:
// each scenario of routes_attack_scenarios.ts is sent as raw bytes, and the test asserts which
// backend answered and what path it saw. The binary runs the same scenarios
// (tests/blackbox/routes_attack_test.ts).
import { assert, assertEquals } from "../support/assert.ts";
import { loadConfig, proxyConfigSchema } from "../../src/config/mod.ts";
import { createSources } from "../../src/discovery/from_config.ts";
import { memoryLogger } from "../../src/log.ts";
import { type RunningProxy, startProxy } from "../../src/proxy/server.ts";
import { runtime } from "../../src/runtime/mod.ts";
import { rawRequest } from "../support/raw_http.ts";
import { startRouteBackends } from "../support/route_backends.ts";
import { startEchoUpstream, upgradeHead } from "../support/websocket_scenarios.ts";
import {
  attackConfig,
  BACKEND_NAMES,
  chatRoutes,
  expected,
  INJECTING_HEAD,
  SCENARIOS,
  send,
  startCaptureBackend,
} from "../support/routes_attack_scenarios.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function proxyFor(text: string): Promise<RunningProxy> {
  const { config } = loadConfig(proxyConfigSchema, { file: { path: "routes.json", text } });
  const logger = memoryLogger();
  const sources = await createSources(config, { runtime, logger });
  return await startProxy({ config, runtime, logger, ...sources });
}

for (const upstreamClient of ["http1", "fetch"] as const) {
  const carrier = `deno-${upstreamClient}` as const;
  Deno.test(
    `routes under attack [deno, ${upstreamClient}]: hostile hosts and paths reach the backend their route names`,
    opts,
    async (t) => {
      const list = await startRouteBackends(BACKEND_NAMES);
      const backends = Object.fromEntries(list.map((b) => [b.name, b]));
      const proxy = await proxyFor(attackConfig(backends, { upstreamClient }));
      try {
        for (const s of SCENARIOS) {
          const bug = s.knownBug?.[carrier];
          await t.step({
            name: bug ? `${s.name} (ignored, bug: ${bug})` : s.name,
            ignore: bug !== undefined,
            fn: async () => {
              const got = await send(proxy.port, s.head);
              assertEquals(got.status, expected(s.status, "deno"), JSON.stringify(got.seen));
              if (s.backend !== undefined) assertEquals(got.backend, expected(s.backend, "deno"));
              else assertEquals(got.backend, undefined, "no backend was to answer");
              if (s.path !== undefined) assertEquals(got.seen?.path, s.path);
              if (s.location !== undefined) assertEquals(got.location, s.location);
              assertEquals(got.setCookie, undefined);
            },
          });
        }
      } finally {
        await proxy.drain();
        await Promise.all(list.map((b) => b.close()));
      }
    },
  );
}

Deno.test({
  name:
    "routes under attack [deno, http1]: non-ASCII in the path cannot write CR LF into the backend's request",
  // Found by this suite: the own client wrote the low byte of each character Deno decoded from
  // UTF-8, so U+010D U+010A became CR LF and the client injected fields (or a second request).
  // The handler now percent-encodes the target (src/proxy/upstream_target.ts).
  ...opts,
  async fn() {
    const backend = startCaptureBackend();
    const proxy = await proxyFor(JSON.stringify({
      port: 0,
      hostname: "127.0.0.1",
      accessLog: false,
      routes: [{ name: "all", rules: [{ backendRefs: [{ addresses: [backend.address] }] }] }],
    }));
    try {
      const res = await rawRequest(proxy.port, `${INJECTING_HEAD}\r\nConnection: close`);
      assertEquals(res.status, 200);
      const head = backend.heads[0] ?? "";
      assert(!/\r\nX-Injected:/i.test(head), `the backend got an injected field: ${head}`);
      assert(head.startsWith("GET /a%C4%A0HTTP/1.1%C4%8D%C4%8A"), head);
    } finally {
      await proxy.drain();
      backend.close();
    }
  },
});

Deno.test({
  name:
    "routes under attack [deno]: a WebSocket upgrade gets its rule's URLRewrite and header edits",
  // Found by this suite: the bridge dialled the client's path with the client's headers, so a
  // `set X-User-Role: anonymous` was bypassed by opening a WebSocket with `X-User-Role: admin`.
  ...opts,
  async fn() {
    const echo = startEchoUpstream();
    const proxy = await proxyFor(JSON.stringify({
      port: 0,
      hostname: "127.0.0.1",
      accessLog: false,
      routes: chatRoutes(echo.address),
    }));
    try {
      const res = await rawRequest(
        proxy.port,
        `${upgradeHead("/chat/room?x=1")}\r\nX-User-Role: admin`,
      );
      assertEquals(res.status, 101);
      const handshake = echo.handshakes[0]!;
      assertEquals(handshake.path, "/ws/room?x=1");
      assertEquals(handshake.headers.get("x-user-role"), "anonymous");
    } finally {
      await proxy.drain();
      await echo.close();
    }
  },
});
