// `scripts/dev`, the README's first command: three backends and a proxy that rotates across them,
// and Ctrl-C leaves nothing running.
import { assertEquals, assertStringIncludes } from "@std/assert";
import { freePort, waitForStatus } from "../support/process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function refused(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return false;
  } catch {
    return true;
  }
}

Deno.test({
  name: "scripts/dev starts three backends behind the proxy, and SIGINT stops them all",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const proxyPort = freePort();
    // Below the ephemeral range freePort() draws from, so a backend never takes the proxy's port.
    const base = 20000 + Math.floor(Math.random() * 10000);
    const child = new Deno.Command("bash", {
      args: [`${ROOT}scripts/dev`],
      env: { PODGATE_DEV_PORT: String(proxyPort), PODGATE_DEV_BACKEND_BASE_PORT: String(base) },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const printed = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        stderr += chunk;
        if (stderr.includes("Ctrl-C stops")) return;
      }
    })();
    try {
      await waitForStatus(`http://127.0.0.1:${proxyPort}/ready`, 200, 30_000);
      await printed; // the script tells the user what to run once the proxy is ready
      const names: string[] = [];
      for (let i = 0; i < 9; i++) {
        names.push((await (await fetch(`http://127.0.0.1:${proxyPort}/ping`)).json()).podname);
      }
      assertEquals(names.slice(0, 3).sort(), ["backend-1", "backend-2", "backend-3"]);
      assertEquals(names.slice(3), [...names.slice(0, 3), ...names.slice(0, 3)]);
    } finally {
      child.kill("SIGINT");
      await child.status;
    }
    assertStringIncludes(stderr, `curl -s localhost:${proxyPort}/ping`);
    for (const port of [proxyPort, base, base + 1, base + 2]) {
      let gone = false;
      for (let i = 0; i < 100 && !gone; i++) {
        gone = await refused(port);
        if (!gone) await new Promise((r) => setTimeout(r, 50));
      }
      assertEquals(gone, true, `something still listens on ${port} after Ctrl-C`);
    }
  },
});
