// The dashboard as a user meets it: podgate run as a process (the compiled binary when
// PODGATE_BIN is set, else `deno run src/main.ts`), real backends, and headless Chromium on the
// page. Rows, live ejection, a backend added by Kubernetes discovery, a proxy restart, and a
// screenshot (dist/test-artifacts/dashboard.png) checked for being more than one colour.
import { assert, assertEquals } from "@std/assert";
import {
  freePort,
  type Podgate,
  PODGATE_BIN,
  spawnPodgate,
  waitForStatus,
} from "../support/process.ts";
import { eventually, FakeCluster, SERVICE } from "../support/fake_kube_cluster.ts";
import {
  artifactDir,
  chromiumPath,
  launchChromium,
  rowStates,
  watchedPage,
  whyNoChromium,
} from "./support/browser.ts";
import { decodePng, lumaStats } from "./support/png.ts";

const noChromium = await whyNoChromium();
if (noChromium) console.error(`SKIP browser tests: ${noChromium}`);
const runs = PODGATE_BIN ? `binary ${PODGATE_BIN}` : "source under Deno (PODGATE_BIN unset)";

const opts = { ignore: noChromium !== undefined, sanitizeOps: false, sanitizeResources: false };
const name = (what: string) =>
  noChromium ? `[browser] ${what} (SKIPPED: ${noChromium})` : `[browser] ${what} (${runs})`;

/** A `podgate backend` on `port`, answering as `pod`. */
function startBackend(pod: string, port: number): Podgate {
  return spawnPodgate(["backend", "--hostname", "127.0.0.1", "--port", String(port)], {
    env: { POD_NAME: pod, PODGATE_LOG_LEVEL: "warn" },
  });
}

/** Sends GET /ping through the proxy until `stop` says so; failures are the point sometimes. */
function traffic(url: string): { stop(): Promise<number> } {
  let running = true;
  let sent = 0;
  const loops = [0, 1, 2, 3].map(async () => {
    while (running) {
      try {
        await (await fetch(`${url}/ping`)).body?.cancel();
      } catch { /* a refused request while the proxy restarts */ }
      sent++;
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return sent;
    },
  };
}

const SAMPLE_MS = "200";

Deno.test({
  name: name(
    "dashboard on the admin port: three rows, a killed backend ejected live, restart, screenshot",
  ),
  ...opts,
  async fn(t) {
    const ports = [freePort(), freePort(), freePort()];
    const backends = ports.map((p, i) => startBackend(`backend-${i + 1}`, p));
    for (const p of ports) await waitForStatus(`http://127.0.0.1:${p}/health`);
    const addresses = ports.map((p) => `127.0.0.1:${p}`);
    const adminPort = freePort();
    const env = {
      PODGATE_PORT: "0",
      PODGATE_HOSTNAME: "127.0.0.1",
      PODGATE_ADMIN_PORT: String(adminPort),
      PODGATE_BACKENDS: addresses.join(","),
      PODGATE_ACCESS_LOG: "false",
      PODGATE_ADMIN__DASHBOARD_SAMPLE_MS: SAMPLE_MS,
      // Two refused connections eject a backend for 60 s: long enough to watch it on the page.
      PODGATE_OUTLIER__CONSECUTIVE_CONNECT_ERRORS: "2",
      PODGATE_OUTLIER__BASE_EJECTION_MS: "60000",
      PODGATE_OUTLIER__MAX_EJECTION_MS: "60000",
    };
    let proxy = spawnPodgate(["proxy"], { env });
    const browser = await launchChromium(chromiumPath()!);
    try {
      const url = `http://127.0.0.1:${await proxy.port()}`;
      const dashboard = `http://127.0.0.1:${adminPort}/`;
      await waitForStatus(`http://127.0.0.1:${adminPort}/ready`);
      const { page, errors, cspViolations } = await watchedPage(browser);
      await page.goto(dashboard);
      await page.waitForSelector('body[data-connected="true"]');

      await t.step(
        "three backends make three rows, with no console errors or CSP violations",
        async () => {
          await eventually(async () => {
            assertEquals(
              await rowStates(page),
              Object.fromEntries(addresses.map((a) => [a, "✓ up"])),
            );
          });
          assertEquals(errors, []);
          assertEquals(await cspViolations(), []);
        },
      );

      const load = traffic(url);
      await t.step("traffic shows as requests and a share on each row", async () => {
        await eventually(async () => {
          const requests = await page.evaluate(`[...document.querySelectorAll("#routes tbody tr")]
            .map((tr) => parseInt(tr.cells[3].textContent.replace(/,/g, ""), 10))`) as number[];
          assert(requests.length === 3 && requests.every((n) => n > 20), String(requests));
        }, 15_000);
      });

      await t.step("a killed backend's row turns ejected with no reload", async () => {
        const killedAt = Date.now();
        backends[1]!.kill("SIGKILL");
        await backends[1]!.status;
        await eventually(async () => {
          const state = (await rowStates(page))[addresses[1]!] ?? "";
          assert(state.startsWith("✕ ejected until "), state);
        }, 10_000);
        const tookMs = Date.now() - killedAt;
        console.log(
          `ejected on the page ${tookMs} ms after the kill (sample every ${SAMPLE_MS} ms)`,
        );
        const events = await page.$eval("#events", (el) => el.textContent ?? "");
        assert(
          events.includes(`${addresses[1]} ejected for 60 s after consecutive connect errors`),
          events,
        );
        assertEquals((await rowStates(page))[addresses[0]!], "✓ up");
        // The killed backend's failed attempts gave their in-flight slots back once each (the
        // page showed -4 here before the request path released a slot only once).
        await eventually(async () => {
          const info = await (await fetch(`http://127.0.0.1:${adminPort}/info`)).json();
          const killed = info.backends.find((b: { address: string }) => b.address === addresses[1]);
          assertEquals(killed?.inflight, 0);
        }, 5_000);
      });

      await t.step("a screenshot goes to dist/test-artifacts/ and is not blank", async () => {
        // A few seconds of history for the sparklines.
        await new Promise((r) => setTimeout(r, 3000));
        const dir = await artifactDir();
        for (
          const [file, width] of [["dashboard.png", 1280], ["dashboard-360.png", 360]] as const
        ) {
          await page.setViewport({ width, height: 900 });
          const png = await page.screenshot({ fullPage: true, type: "png" });
          await Deno.writeFile(`${dir}${file}`, png);
          const image = await decodePng(png);
          const { variance, colours } = lumaStats(image);
          console.log(
            `${dir}${file}: ${image.width}x${image.height}, luma variance ${
              variance.toFixed(0)
            }, ${colours} colours`,
          );
          assertEquals(image.width, width);
          assert(
            variance > 100 && colours > 16,
            `looks blank: variance ${variance}, ${colours} colours`,
          );
        }
        await page.setViewport({ width: 1280, height: 900 });
      });
      await load.stop();

      await t.step("a restarted proxy is picked up again without a reload", async () => {
        proxy.kill("SIGTERM");
        assertEquals((await proxy.status).code, 0);
        await page.waitForSelector('body[data-connected="false"]', { timeout: 10_000 });
        proxy = spawnPodgate(["proxy"], { env });
        await proxy.port();
        await page.waitForSelector('body[data-connected="true"]', { timeout: 30_000 });
        // The new process knows nothing of the old ejection yet.
        await eventually(async () => {
          assertEquals(Object.keys(await rowStates(page)).sort(), [...addresses].sort());
          const uptime = await page.$eval("#uptime", (el) => el.textContent ?? "");
          assert(/^\d+s$/.test(uptime), uptime);
        });
        assertEquals(errors.filter((e) => !e.includes("/events")), []);
        assertEquals(await cspViolations(), []);
      });

      await t.step(
        "a second page counts as a viewer, and closing it frees its stream",
        async () => {
          const conn = () => page.$eval("#conn", (el) => el.textContent ?? "");
          await eventually(async () => assertEquals(await conn(), "live, 1 viewer"));
          const second = await watchedPage(browser);
          await second.page.goto(dashboard);
          await eventually(async () => assertEquals(await conn(), "live, 2 viewers"));
          await second.page.close();
          await eventually(async () => assertEquals(await conn(), "live, 1 viewer"));
        },
      );
    } finally {
      await browser.close();
      await proxy.stop();
      await Promise.all(backends.map((b) => b.stop()));
    }
  },
});

Deno.test({
  name: name("dashboard at /dashboard: a backend added by Kubernetes discovery adds a row"),
  ...opts,
  async fn() {
    const cluster = await FakeCluster.start();
    const pods = cluster.scale(2);
    const kubeconfig = await cluster.kubeconfig();
    const proxy = spawnPodgate(["proxy"], {
      env: {
        KUBECONFIG: kubeconfig,
        NAMESPACE: "",
        PODGATE_PORT: "0",
        PODGATE_HOSTNAME: "127.0.0.1",
        PODGATE_BACKEND_SERVICE_NAME: SERVICE,
        PODGATE_BACKEND_PORT: "http",
        PODGATE_ACCESS_LOG: "false",
        PODGATE_ADMIN__DASHBOARD_SAMPLE_MS: SAMPLE_MS,
        PODGATE_KUBERNETES__BACKOFF_INITIAL_MS: "20",
        PODGATE_KUBERNETES__BACKOFF_MAX_MS: "200",
      },
    });
    const browser = await launchChromium(chromiumPath()!);
    try {
      const url = `http://127.0.0.1:${await proxy.port()}`;
      const { page, errors, cspViolations } = await watchedPage(browser);
      await page.goto(`${url}/dashboard`);
      await page.waitForSelector('body[data-connected="true"]');
      await eventually(async () => {
        assertEquals(Object.keys(await rowStates(page)).sort(), cluster.addresses(pods).sort());
      });
      const [added] = cluster.addresses(cluster.scale(3).slice(2));
      await eventually(async () => assertEquals((await rowStates(page))[added!], "✓ up"), 10_000);
      assertEquals(Object.keys(await rowStates(page)).length, 3);
      const events = await page.$eval("#events", (el) => el.textContent ?? "");
      assert(events.includes(`${added} added by discovery`), events);
      const discovery = await page.$eval("#discovery", (el) => el.textContent ?? "");
      assert(discovery.startsWith("kubernetes, synced, last change "), discovery);
      assertEquals(errors, []);
      assertEquals(await cspViolations(), []);
    } finally {
      await browser.close();
      await proxy.stop();
      await cluster.close();
    }
  },
});
