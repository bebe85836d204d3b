import { assertEquals, assertStringIncludes } from "@std/assert";
import { outlierDetector } from "../../balancer/outlier.ts";
import { Pool } from "../../balancer/pool.ts";
import { roundRobin } from "../../balancer/round_robin.ts";
import { createStats } from "../../proxy/stats.ts";
import { ADMIN_PATHS, adminRoutes } from "../routes.ts";
import { createDashboard } from "./dashboard.ts";

function app(dashboardAtRoot: boolean) {
  const pool = new Pool();
  pool.update([{ address: "10.0.0.1:80" }]);
  const readiness = { draining: false };
  const stats = createStats();
  const dashboard = createDashboard({
    pool,
    readiness,
    stats,
    version: "0.1.0",
    discoveryKind: "static",
    setInterval: () => 0,
    clearInterval: () => {},
  });
  const routes = adminRoutes({
    pool,
    strategy: roundRobin(),
    stats,
    readiness,
    outlier: outlierDetector(() => pool.routable()),
    dashboard,
    dashboardAtRoot,
  });
  return { routes, dashboard };
}

Deno.test("adminRoutes() serves the dashboard at /dashboard, and at / only on its own port", async () => {
  const shared = app(false);
  const page = await shared.routes.request("/dashboard");
  assertEquals(page.status, 200);
  assertStringIncludes(await page.text(), "<title>podgate dashboard</title>");
  assertEquals((await shared.routes.request("/")).status, 404);
  const own = app(true);
  const root = await own.routes.request("/");
  assertEquals(root.status, 200);
  assertStringIncludes(root.headers.get("content-security-policy")!, "script-src 'nonce-");
});

Deno.test("adminRoutes() streams /events from the dashboard", async () => {
  const { routes, dashboard } = app(false);
  const res = await routes.request("/events");
  assertEquals(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  dashboard.stop();
  const text = await res.text();
  assertStringIncludes(text, "event: snapshot\n");
  assertStringIncludes(text, '"address":"10.0.0.1:80"');
});

Deno.test("ADMIN_PATHS sends /dashboard and /events to the admin app on the main port", () => {
  assertEquals(["/dashboard", "/events", "/"].map((p) => ADMIN_PATHS.has(p)), [true, true, false]);
});
