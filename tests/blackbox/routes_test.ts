// Routes through the binary (dist/podgate when PODGATE_BIN is set): a YAML config file with two
// services of three backends each, routed by host and by path, and a weighted 80/20 split
// measured over 2,000 requests.
import { assert, assertEquals } from "../support/assert.ts";
import { spawnPodgate } from "../support/process.ts";
import { getVia, type RouteBackend, startRouteBackends } from "../support/route_backends.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const label = Deno.env.get("PODGATE_BIN") ? "[binary]" : "[deno]";

function yaml(shop: RouteBackend[], api: RouteBackend[]): string {
  const list = (xs: RouteBackend[]) => `[${xs.map((x) => `"${x.address}"`).join(", ")}]`;
  return `# two services, by host and by path, and a canary split
port: 0
hostname: 127.0.0.1
accessLog: false
routes:
  - name: shop
    hostnames: ["shop.example.com"]
    rules:
      - matches: [{path: {type: PathPrefix, value: /}}]
        filters:
          - type: RequestHeaderModifier
            requestHeaderModifier: {set: [{name: X-Env, value: prod}]}
        backendRefs:
          - {addresses: ${list(shop)}}
  - name: paths
    hostnames: ["www.example.com"]
    rules:
      - matches: [{path: {type: PathPrefix, value: /api}}]
        backendRefs:
          - {addresses: ${list(api)}}
      - matches: [{path: {type: PathPrefix, value: /}}]
        backendRefs:
          - {addresses: ${list(shop)}}
  - name: canary
    hostnames: ["canary.example.com"]
    rules:
      - backendRefs:
          - {addresses: ${list(shop)}, weight: 80}
          - {addresses: ${list(api)}, weight: 20}
`;
}

Deno.test(
  `${label} routes by host and path to two services of three backends, and split 80/20 over 2,000 requests`,
  opts,
  async () => {
    const shop = await startRouteBackends(["shop-a", "shop-b", "shop-c"]);
    const api = await startRouteBackends(["api-a", "api-b", "api-c"]);
    const dir = await Deno.makeTempDir({ prefix: "podgate-routes-" });
    const path = `${dir}/config.yaml`;
    await Deno.writeTextFile(path, yaml(shop, api));
    const proxy = spawnPodgate(["proxy", "--config", path]);
    try {
      const port = await proxy.port();
      const names = async (host: string, target: string, n: number) => {
        const seen: Record<string, number> = {};
        for (let i = 0; i < n; i++) {
          const res = await getVia(port, host, target);
          assertEquals(res.status, 200, `${host}${target}`);
          seen[res.seen!.name] = (seen[res.seen!.name] ?? 0) + 1;
        }
        return seen;
      };
      // By host: the shop's three backends in turn, with its header filter.
      assertEquals(await names("shop.example.com", "/cart", 6), {
        "shop-a": 2,
        "shop-b": 2,
        "shop-c": 2,
      });
      assertEquals((await getVia(port, "shop.example.com", "/")).seen?.headers["x-env"], "prod");
      // By path on one host: /api to the api service, the rest to the shop.
      assertEquals(await names("www.example.com", "/api/orders", 6), {
        "api-a": 2,
        "api-b": 2,
        "api-c": 2,
      });
      assertEquals(
        Object.keys(await names("www.example.com", "/apiary", 3)).every((n) =>
          n.startsWith("shop")
        ),
        true,
      );
      // No route for this host.
      assertEquals((await getVia(port, "other.example.com", "/")).status, 404);
      // Weighted: 80/20 within ±5 points over 2,000 requests (smooth weighted round-robin).
      const split = await names("canary.example.com", "/", 2000);
      const toShop = (split["shop-a"] ?? 0) + (split["shop-b"] ?? 0) + (split["shop-c"] ?? 0);
      const share = toShop / 2000;
      console.log(
        `figures: canary split over 2000 requests: ${JSON.stringify(split)} → shop ${
          (share * 100).toFixed(1)
        }%`,
      );
      assert(
        Math.abs(share - 0.8) <= 0.05,
        `shop got ${(share * 100).toFixed(1)}%, expected 80 ± 5`,
      );
      for (const name of ["api-a", "api-b", "api-c"]) {
        assert((split[name] ?? 0) > 100, `${name} got ${split[name]} of the 20%`);
      }
    } finally {
      await proxy.stop();
      await Promise.all([...shop, ...api].map((b) => b.close()));
      await Deno.remove(dir, { recursive: true });
    }
  },
);
