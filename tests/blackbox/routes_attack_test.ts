// Hostile requests against host and path routes through the binary (dist/podgate when
// PODGATE_BIN is set: Bun.serve and Bun's req.url): the scenarios of routes_attack_scenarios.ts,
// asserting which backend answered and what path it saw.
import { assertEquals } from "../support/assert.ts";
import { spawnPodgate } from "../support/process.ts";
import { getVia, startRouteBackends } from "../support/route_backends.ts";
import {
  attackConfig,
  BACKEND_NAMES,
  chatRoutes,
  expected,
  type Runtime,
  SCENARIOS,
  send,
} from "../support/routes_attack_scenarios.ts";
import { rawRequest } from "../support/raw_http.ts";
import { startEchoUpstream, upgradeHead } from "../support/websocket_scenarios.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const runtimeName: Runtime = Deno.env.get("PODGATE_BIN") ? "bun" : "deno";
const label = `[${runtimeName === "bun" ? "binary" : "deno"}]`;

async function withProxy(fn: (port: number) => Promise<void>): Promise<void> {
  const list = await startRouteBackends(BACKEND_NAMES);
  const backends = Object.fromEntries(list.map((b) => [b.name, b]));
  const dir = await Deno.makeTempDir({ prefix: "podgate-routes-attack-" });
  const path = `${dir}/config.yaml`;
  await Deno.writeTextFile(path, attackConfig(backends));
  const proxy = spawnPodgate(["proxy", "--config", path]);
  try {
    await fn(await proxy.port());
  } finally {
    await proxy.stop();
    await Promise.all(list.map((b) => b.close()));
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test(
  `${label} routes under attack: hostile hosts and paths reach the backend their route names`,
  opts,
  async (t) => {
    await withProxy(async (port) => {
      const carrier = runtimeName === "bun" ? "bun" : "deno-http1";
      for (const s of SCENARIOS) {
        const bug = s.knownBug?.[carrier];
        await t.step({
          name: bug ? `${s.name} (ignored, bug: ${bug})` : s.name,
          ignore: bug !== undefined,
          fn: async () => {
            const got = await send(port, s.head);
            assertEquals(got.status, expected(s.status, runtimeName), JSON.stringify(got.seen));
            if (s.backend !== undefined) {
              assertEquals(got.backend, expected(s.backend, runtimeName));
            } else assertEquals(got.backend, undefined, "no backend was to answer");
            if (s.path !== undefined) assertEquals(got.seen?.path, s.path);
            if (s.location !== undefined) assertEquals(got.location, s.location);
            assertEquals(got.setCookie, undefined);
          },
        });
      }
    });
  },
);

Deno.test({
  name:
    `${label} routes under attack: a request without a usable Host reaches its backend with its whole path`,
  // Found by this suite (Bun): for HTTP/1.0 without Host, an empty Host or a Host Bun cannot
  // parse, req.url is relative (`/p/q`) and the upstream target lost its first segment (`/q`)
  // while routes decided on `/p/q`. src/proxy/upstream_target.ts takes a relative URL whole.
  ...opts,
  async fn() {
    await withProxy(async (port) => {
      const res = await rawRequest(port, "GET /public/admin?x=1 HTTP/1.0");
      assertEquals(res.status, 200);
      assertEquals(JSON.parse(res.text()).path, "/public/admin?x=1");
      const empty = await getVia(port, "", "/public/admin");
      assertEquals(empty.seen?.path, "/public/admin");
    });
  },
});

Deno.test({
  name:
    `${label} routes under attack: a WebSocket upgrade gets its rule's URLRewrite and header edits`,
  // Found by this suite: the bridge ignored the route's plan (see the integration test).
  ...opts,
  async fn() {
    const echo = startEchoUpstream();
    const dir = await Deno.makeTempDir({ prefix: "podgate-routes-attack-ws-" });
    const path = `${dir}/config.yaml`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        port: 0,
        hostname: "127.0.0.1",
        routes: chatRoutes(echo.address),
      }),
    );
    const proxy = spawnPodgate(["proxy", "--config", path]);
    try {
      const port = await proxy.port();
      const res = await rawRequest(port, `${upgradeHead("/chat/room?x=1")}\r\nX-User-Role: admin`);
      assertEquals(res.status, 101);
      const handshake = echo.handshakes[0]!;
      assertEquals(
        [handshake.path, handshake.headers.get("x-user-role")],
        ["/ws/room?x=1", "anonymous"],
      );
    } finally {
      await proxy.stop();
      await echo.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
