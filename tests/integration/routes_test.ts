// Host and path routes from the config file, in-process on Deno, in front of real backends that
// say who they are and what reached them: which route a request took, which backendRef, and
// what its filters did, as a client and a backend see it.
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { loadConfig, proxyConfigSchema } from "../../src/config/mod.ts";
import { createSources } from "../../src/discovery/from_config.ts";
import { memoryLogger } from "../../src/log.ts";
import { type RunningProxy, startProxy } from "../../src/proxy/server.ts";
import { runtime } from "../../src/runtime/mod.ts";
import { getVia, type RouteBackend, startRouteBackends } from "../support/route_backends.ts";
import { rawRequest } from "../support/raw_http.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

interface Setup {
  proxy: RunningProxy;
  backends: Record<string, RouteBackend>;
  logger: ReturnType<typeof memoryLogger>;
  close(): Promise<void>;
}

async function start(): Promise<Setup> {
  const list = await startRouteBackends(["shop-1", "shop-2", "shop-3", "canary", "api-1", "api-2"]);
  const b = Object.fromEntries(list.map((x) => [x.name, x]));
  const at = (...names: string[]) => names.map((n) => b[n]!.address);
  const file = {
    port: 0,
    hostname: "127.0.0.1",
    routes: [
      {
        name: "shop",
        hostnames: ["shop.example.com"],
        rules: [{
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          filters: [
            {
              type: "RequestHeaderModifier",
              requestHeaderModifier: {
                set: [{ name: "X-Env", value: "prod" }],
                remove: ["X-Debug"],
              },
            },
            {
              type: "ResponseHeaderModifier",
              responseHeaderModifier: {
                add: [{ name: "X-Route", value: "shop" }],
                remove: ["Server"],
              },
            },
          ],
          backendRefs: [
            { addresses: at("shop-1", "shop-2", "shop-3"), weight: 80 },
            { addresses: at("canary"), weight: 20 },
          ],
        }],
      },
      {
        // Same host and path as shop's rule, one header match more: it wins those requests.
        name: "shop-canary-header",
        hostnames: ["shop.example.com"],
        rules: [{
          matches: [{ path: { value: "/" }, headers: [{ name: "X-Canary", value: "always" }] }],
          backendRefs: [{ addresses: at("canary") }],
        }],
      },
      {
        name: "api",
        hostnames: ["*.example.com"],
        rules: [
          {
            matches: [{ path: { type: "PathPrefix", value: "/v1" } }],
            filters: [{
              type: "URLRewrite",
              urlRewrite: {
                hostname: "api.internal",
                path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" },
              },
            }],
            backendRefs: [{ addresses: at("api-2") }],
          },
          {
            matches: [{ path: { type: "Exact", value: "/v1/status" } }],
            backendRefs: [{ addresses: at("api-1") }],
          },
        ],
      },
      {
        name: "old",
        hostnames: ["old.example.com"],
        rules: [{
          filters: [{
            type: "RequestRedirect",
            requestRedirect: { scheme: "https", hostname: "new.example.com", statusCode: 301 },
          }],
        }],
      },
    ],
  };
  const { config } = loadConfig(proxyConfigSchema, {
    file: { path: "routes.json", text: JSON.stringify(file) },
  });
  const logger = memoryLogger();
  const sources = await createSources(config, { runtime, logger });
  const proxy = await startProxy({ config, runtime, logger, ...sources });
  return {
    proxy,
    backends: b,
    logger,
    async close() {
      await proxy.drain();
      await Promise.all(list.map((x) => x.close()));
    },
  };
}

Deno.test(
  "routes: a host's requests split 80/20 between its weighted backendRefs, with its filters applied",
  opts,
  async () => {
    const s = await start();
    try {
      const counts: Record<string, number> = {};
      for (let i = 0; i < 100; i++) {
        const res = await getVia(s.proxy.port, "shop.example.com", `/cart/${i}`, {
          "X-Debug": "1",
        });
        assertEquals(res.status, 200);
        const seen = res.seen!;
        counts[seen.name] = (counts[seen.name] ?? 0) + 1;
        assertEquals(seen.path, `/cart/${i}`);
        assertEquals(seen.headers["x-env"], "prod");
        assertEquals(seen.headers["x-debug"], undefined, "X-Debug was to be removed");
        assertEquals(res.header("x-route"), "shop");
        assertEquals(res.header("server"), undefined, "Server was to be removed");
      }
      // Smooth weighted round-robin: exactly 80/20, and the 80 spread over the three backends.
      assertEquals(counts.canary, 20);
      assertEquals((counts["shop-1"] ?? 0) + (counts["shop-2"] ?? 0) + (counts["shop-3"] ?? 0), 80);
      for (const n of ["shop-1", "shop-2", "shop-3"]) {
        assert(
          (counts[n] ?? 0) >= 26,
          `${n}: ${counts[n]}`,
        );
      }
    } finally {
      await s.close();
    }
  },
);

Deno.test("routes: the most header matches win a tie of host and path", opts, async () => {
  const s = await start();
  try {
    for (let i = 0; i < 10; i++) {
      const res = await getVia(s.proxy.port, "shop.example.com", "/", { "X-Canary": "always" });
      assertEquals(res.seen?.name, "canary");
      assertEquals(res.header("x-route"), undefined, "shop's filters are not this route's");
    }
  } finally {
    await s.close();
  }
});

Deno.test(
  "routes: Exact beats a prefix, a prefix rewrite replaces only its own segments, wildcards skip the apex",
  opts,
  async () => {
    const s = await start();
    try {
      const port = s.proxy.port;
      assertEquals((await getVia(port, "api.example.com", "/v1/status")).seen?.name, "api-1");
      const rewritten = await getVia(port, "api.example.com", "/v1/users?page=2");
      assertEquals([rewritten.seen?.name, rewritten.seen?.path], ["api-2", "/users?page=2"]);
      assertEquals(rewritten.seen?.host, "api.internal", "URLRewrite's hostname is the Host sent");
      assertEquals((await getVia(port, "api.example.com", "/v1")).seen?.path, "/");
      assertEquals((await getVia(port, "deep.api.example.com", "/v1/x")).seen?.path, "/x");
      // Host compares without case, port and trailing dot.
      assertEquals((await getVia(port, "API.Example.COM.:8080", "/v1/status")).seen?.name, "api-1");
      // `/v1x` is not under `/v1`; `example.com` is not under `*.example.com`.
      for (const [host, path] of [["api.example.com", "/v1x"], ["example.com", "/v1/status"]]) {
        const res = await getVia(port, host!, path!);
        assertEquals(res.status, 404, `${host}${path}`);
        assertEquals(res.header("content-type"), "application/json");
      }
      // A dot segment is resolved before routing: `/v2/../v1/status` is `/v1/status`.
      assertEquals((await getVia(port, "api.example.com", "/v2/../v1/status")).seen?.name, "api-1");
    } finally {
      await s.close();
    }
  },
);

Deno.test(
  "routes: a RequestRedirect answers without a backend, keeping path and query",
  opts,
  async () => {
    const s = await start();
    try {
      const res = await getVia(s.proxy.port, "old.example.com:8080", "/a/b?c=1");
      assertEquals(res.status, 301);
      assertEquals(res.header("location"), "https://new.example.com/a/b?c=1");
    } finally {
      await s.close();
    }
  },
);

Deno.test(
  "routes: no match is a JSON 404 naming host and path, logged with its route",
  opts,
  async () => {
    const s = await start();
    try {
      const res = await getVia(s.proxy.port, "unknown.test", "/x");
      assertEquals(res.status, 404);
      const line = s.logger.lines.find((l) => l.msg === "request" && l.status === 404);
      assert(line, "the 404 was not logged");
      assertEquals([line.route, line.error], ["-", "no_route"]);
    } finally {
      await s.close();
    }
  },
);

Deno.test("routes: /metrics counts requests by route", opts, async () => {
  const s = await start();
  try {
    await getVia(s.proxy.port, "shop.example.com", "/");
    await getVia(s.proxy.port, "api.example.com", "/v1/status");
    await getVia(s.proxy.port, "nowhere.test", "/");
    const text = await (await fetch(`http://127.0.0.1:${s.proxy.port}/metrics`)).text();
    assertMatch(text, /^podgate_route_requests_total\{route="shop",code="200"\} 1$/m);
    assertMatch(text, /^podgate_route_requests_total\{route="api",code="200"\} 1$/m);
    assertMatch(text, /^podgate_route_requests_total\{route="-",code="404"\} 1$/m);
    assertMatch(text, /^podgate_requests_total\{code="200"\} 2$/m);
  } finally {
    await s.close();
  }
});

Deno.test("routes: a config error names the file, the route and the field", () => {
  const text = JSON.stringify({
    routes: [
      { name: "shop", rules: [{ backendRefs: [{ addresses: ["10.0.0.5:8080"] }] }] },
      { name: "api", rules: [{ backendRefs: [{ name: "api", weight: 10 }] }] },
    ],
  });
  let message = "";
  try {
    loadConfig(proxyConfigSchema, { file: { path: "/etc/podgate/config.json", text } });
  } catch (error) {
    message = (error as Error).message;
  }
  assertMatch(
    message,
    /\/etc\/podgate\/config\.json: route "api": routes\[1\]\.rules\[0\]\.backendRefs\[0\]\.port: required for a Service backendRef/,
  );
});

Deno.test(
  "routes: /debug/routes shows the table with each backendRef's group and backends; /info counts by route",
  opts,
  async () => {
    const s = await start();
    try {
      await getVia(s.proxy.port, "shop.example.com", "/");
      const debug = await (await fetch(`http://127.0.0.1:${s.proxy.port}/debug/routes`)).json();
      assertEquals(debug.source, "config");
      assertEquals(debug.routes.map((r: { name: string }) => r.name), [
        "shop",
        "shop-canary-header",
        "api",
        "old",
      ]);
      const shop = debug.routes[0].rules[0];
      assertEquals(shop.matches, ["PathPrefix /"]);
      assertEquals(shop.filters, ["RequestHeaderModifier", "ResponseHeaderModifier"]);
      assertEquals(shop.backendRefs.map((r: { weight: number }) => r.weight), [80, 20]);
      assertEquals(
        shop.backendRefs[0].backends.map((b: { address: string }) => b.address),
        ["shop-1", "shop-2", "shop-3"].map((n) => s.backends[n]!.address),
      );
      assertEquals(shop.backendRefs[1].backends[0].state, "up");
      const info = await (await fetch(`http://127.0.0.1:${s.proxy.port}/info`)).json();
      const shopInfo = info.routes.find((r: { name: string }) => r.name === "shop");
      assertEquals(shopInfo.requests, { "200": 1 });
      assertEquals(shopInfo.backends, 4);
      assertEquals((await fetch(`http://127.0.0.1:${s.proxy.port}/ready`)).status, 200);
    } finally {
      await s.close();
    }
  },
);

Deno.test(
  "routes: /debug/next-backend names the route and backend a request with that host, path and method would get",
  opts,
  async () => {
    const s = await start();
    // Raw bytes: fetch will not send a Host of our choosing.
    const next = async (query: string, host = `127.0.0.1:${s.proxy.port}`) => {
      const res = await rawRequest(
        s.proxy.port,
        `GET /debug/next-backend${query} HTTP/1.1\r\nHost: ${host}\r\nConnection: close`,
      );
      return { status: res.status, body: JSON.parse(res.text()) };
    };
    try {
      const shop = ["shop-1", "shop-2", "shop-3", "canary"].map((n) => s.backends[n]!.address);
      const first = await next("?host=shop.example.com&path=/cart");
      assertEquals([first.status, first.body.route], [200, "shop"]);
      assert(shop.includes(first.body.selected), JSON.stringify(first.body));
      // The request's own Host when none is given.
      assertEquals((await next("?path=/v1/status", "api.example.com")).body, {
        route: "api",
        selected: s.backends["api-1"]!.address,
      });
      assertEquals((await next("?host=x.example.com&path=/v1/a")).body, {
        route: "api",
        selected: s.backends["api-2"]!.address,
      });
      assertEquals((await next("?host=old.example.com")).body, {
        route: "old",
        status: 301,
        error: "redirect",
        location: "https://new.example.com/",
      });
      const none = await next("?host=nowhere.test&path=/");
      assertEquals([none.status, none.body.error], [404, "no_route"]);
      const bad = await next("?host=a%20b");
      assertEquals([bad.status, bad.body.error], [400, "bad request"]);
      assertMatch(bad.body.reason, /^host must be host\[:port\]/);
      assertEquals((await next("?path=relative")).status, 400);
    } finally {
      await s.close();
    }
  },
);

Deno.test("routes: examples/routes.yaml (the README's example) parses into its three routes", async () => {
  const { parseConfigFile } = await import("../../src/config/mod.ts");
  const path = new URL("../../examples/routes.yaml", import.meta.url).pathname;
  const file = await parseConfigFile({ path, text: await Deno.readTextFile(path) });
  const { config } = loadConfig(proxyConfigSchema, { file });
  assertEquals(config.routes?.map((r) => r.name), ["shop", "old-shop", "status"]);
  assertEquals(config.discovery, "static");
});
