// The dashboard page in headless Chromium against an in-process admin app: the page, its CSP,
// live updates over /events, narrow screens, the keyboard, and a reconnect to a new process.
// The same checks against the compiled binary are in dashboard_binary_test.ts.
import { assert, assertEquals } from "@std/assert";
import { createDashboard, type Dashboard } from "../../src/admin/dashboard/mod.ts";
import { adminRoutes } from "../../src/admin/routes.ts";
import { outlierDetector } from "../../src/balancer/outlier.ts";
import { Pool } from "../../src/balancer/pool.ts";
import { roundRobin } from "../../src/balancer/round_robin.ts";
import { createStats } from "../../src/proxy/stats.ts";
import { type RunningServer, runtime } from "../../src/runtime/mod.ts";
import {
  chromiumPath,
  launchChromium,
  rowStates,
  watchedPage,
  whyNoChromium,
} from "./support/browser.ts";
import { eventually } from "../support/fake_kube_cluster.ts";

const noChromium = await whyNoChromium();
if (noChromium) console.error(`SKIP browser tests: ${noChromium}`);

interface Admin {
  url: string;
  port: number;
  pool: Pool;
  dashboard: Dashboard;
  close(): Promise<void>;
}

async function startAdmin(addresses: string[], port = 0): Promise<Admin> {
  const pool = new Pool();
  pool.update(addresses.map((address) => ({ address })));
  const readiness = { draining: false };
  const stats = createStats();
  const dashboard = createDashboard({
    pool,
    readiness,
    stats,
    version: "0.1.0",
    runtime: runtime.name,
    discoveryKind: "static",
    sampleMs: 100,
  });
  const app = adminRoutes({
    pool,
    strategy: roundRobin(),
    stats,
    readiness,
    outlier: outlierDetector(() => pool.routable()),
    dashboard,
    dashboardAtRoot: true,
  });
  const server: RunningServer = await runtime.serve((req) => app.fetch(req), {
    port,
    hostname: "127.0.0.1",
  });
  return {
    url: `http://127.0.0.1:${server.port}/`,
    port: server.port,
    pool,
    dashboard,
    async close() {
      dashboard.stop();
      await server.close();
    },
  };
}

const THREE = ["10.9.0.1:80", "10.9.0.2:80", "10.9.0.3:80"];

Deno.test({
  name: noChromium
    ? `[browser] dashboard page in-process (SKIPPED: ${noChromium})`
    : "[browser] dashboard page in-process: rows, live state, narrow screen, keyboard, reconnect",
  ignore: noChromium !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const browser = await launchChromium(chromiumPath()!);
    let admin = await startAdmin(THREE);
    try {
      const { page, errors, cspViolations } = await watchedPage(browser);
      await page.goto(admin.url);
      await page.waitForSelector('body[data-connected="true"]');

      await t.step(
        "three backends make three rows, with no console errors or CSP violations",
        async () => {
          await eventually(async () => {
            assertEquals(await rowStates(page), Object.fromEntries(THREE.map((a) => [a, "✓ up"])));
          });
          assertEquals(errors, []);
          assertEquals(await cspViolations(), []);
        },
      );

      await t.step("an ejection shows as ejected until a time, without a reload", async () => {
        admin.pool.all()[1]!.ejectedUntil = Date.now() + 60_000;
        await eventually(async () => {
          const states = await rowStates(page);
          assert(states["10.9.0.2:80"]?.startsWith("✕ ejected until "), JSON.stringify(states));
        });
        admin.pool.all()[1]!.ejectedUntil = 0;
        await eventually(async () => assertEquals((await rowStates(page))["10.9.0.2:80"], "✓ up"));
      });

      await t.step("a backend discovery adds is a new row", async () => {
        admin.pool.update([...THREE, "10.9.0.4:80"].map((address) => ({ address })));
        await eventually(async () => assertEquals(Object.keys(await rowStates(page)).length, 4));
        admin.pool.update(THREE.map((address) => ({ address })));
        await eventually(async () => assertEquals(Object.keys(await rowStates(page)).length, 3));
      });

      await t.step("at 360 px wide nothing needs sideways scrolling", async () => {
        await page.setViewport({ width: 360, height: 800 });
        const overflow = await page.evaluate(
          `document.documentElement.scrollWidth - document.documentElement.clientWidth`,
        );
        assertEquals(overflow, 0);
        // Nor does any table inside its own scroller: the rows have turned into cards.
        const tablesFit = await page.evaluate(
          `[...document.querySelectorAll(".scroll")].every((e) => e.scrollWidth <= e.clientWidth)`,
        );
        assertEquals(tablesFit, true);
        await page.setViewport({ width: 1280, height: 900 });
      });

      await t.step("light and dark follow prefers-color-scheme", async () => {
        const background = () =>
          page.evaluate(`getComputedStyle(document.body).backgroundColor`) as Promise<string>;
        await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
        assertEquals(await background(), "rgb(255, 255, 255)");
        await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
        assertEquals(await background(), "rgb(13, 17, 23)");
        await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
      });

      await t.step("the keyboard reaches the skip link, then every backend row", async () => {
        await page.keyboard.press("Tab");
        assertEquals(await page.evaluate(`document.activeElement.className`), "skip");
        await page.keyboard.press("Enter");
        const focused: string[] = [];
        for (let i = 0; i < 3; i++) {
          await page.keyboard.press("Tab");
          focused.push(String(await page.evaluate(`document.activeElement.dataset.key`)));
        }
        assertEquals(focused, THREE.map((a) => `default/${a}`));
      });

      await t.step("a restarted proxy is picked up again without a reload", async () => {
        const port = admin.port;
        await admin.close();
        await page.waitForSelector('body[data-connected="false"]', { timeout: 10_000 });
        admin = await startAdmin(["10.9.0.7:80"], port);
        await page.waitForSelector('body[data-connected="true"]', { timeout: 30_000 });
        await eventually(async () =>
          assertEquals(await rowStates(page), { "10.9.0.7:80": "✓ up" })
        );
        assertEquals(errors.filter((e) => !e.includes("/events")), []);
        assertEquals(await cspViolations(), []);
      });
    } finally {
      await admin.close();
      await browser.close();
    }
  },
});
