// defparam/smuggler's technique list against the proxy in this Deno process (Deno.serve), on
// both upstream clients; see tests/support/smuggling_scanner.ts.
import {
  figureLine,
  scan,
  smugglerTechniques,
  smugglingSuite,
  startLoggingBackend,
  startNaiveForwarder,
} from "../support/smuggling_scanner.ts";
import { startInProcess } from "../support/proxy_target.ts";

smugglingSuite("deno+http1", (env) => startInProcess({ PODGATE_UPSTREAM_CLIENT: "http1", ...env }));
smugglingSuite("deno+fetch", (env) => startInProcess({ PODGATE_UPSTREAM_CLIENT: "fetch", ...env }));

// The scanner finds what it is for: a front end that frames by Content-Length alone and forwards
// bytes verbatim to the lenient backend is flagged, by smuggler's timing check and the differential one.
Deno.test({
  name: "the scanner detects a desync on a naive CL-only forwarder",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const backend = startLoggingBackend();
    const front = startNaiveForwarder(backend.port);
    try {
      const techniques = smugglerTechniques().filter((t) =>
        ["space1", "tabprefix1", "endspace-09", "midspace-09"].includes(t.name)
      );
      const results = await scan(front.port, backend, { timeoutMs: 500, techniques });
      for (const r of results) console.log(figureLine("naive-forwarder", r));
      for (const r of results) {
        if (r.verdict.startsWith("not vulnerable")) {
          throw new Error(`scanner missed: ${figureLine("naive-forwarder", r)}`);
        }
      }
    } finally {
      await front.stop();
      await backend.close();
    }
  },
});
