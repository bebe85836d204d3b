// A long upstream idle timeout through the compiled binary: from 16 s up Bun's own fetch timer
// enforces it (4 s tick, so 16–24 s here) and response bodies are piped natively; a stalled body
// must still be cut, and the proxy must keep serving.
import { assert, assertEquals } from "@std/assert";
import { PODGATE_BIN } from "../support/process.ts";
import { startProcess } from "../support/proxy_target.ts";
import { startTestBackend } from "../support/test_backend.ts";
import { readUntilEnd } from "../support/read_body.ts";

Deno.test({
  name: "[binary] with a 16 s idle timeout, a stalled upstream body is still cut, then served on",
  ignore: !PODGATE_BIN,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const backend = await startTestBackend("backend-1");
    const proxy = await startProcess({
      PODGATE_DISCOVERY: "static",
      PODGATE_BACKENDS: backend.address,
      PODGATE_TIMEOUTS__UPSTREAM_IDLE_MS: "16000",
    });
    try {
      const started = performance.now();
      const res = await fetch(`${proxy.url}/stall`);
      assertEquals(res.status, 200);
      const { text, failed } = await readUntilEnd(res);
      const seconds = (performance.now() - started) / 1000;
      assertEquals(text, "partial");
      assert(failed, "the client must see the body end in an error, not a clean end");
      assert(seconds >= 15, `cut after ${seconds.toFixed(1)} s, before the idle timeout`);
      const after = await fetch(`${proxy.url}/ping`);
      assertEquals(after.status, 200);
      await after.body?.cancel();
    } finally {
      await proxy.stop();
      await backend.close();
    }
  },
});
