// The same wire behaviour through the compiled binary (PODGATE_BIN), run as UID 1001 when the
// suite runs as root, the way the container runs it.
import { PODGATE_BIN } from "../support/process.ts";
import { proxyScenarios } from "../support/proxy_scenarios.ts";
import { startProcess } from "../support/proxy_target.ts";

if (PODGATE_BIN) {
  proxyScenarios("binary", startProcess);
  // Bun's fetch carrying every request, not only those with a body.
  proxyScenarios(
    "binary+fetch",
    (env) => startProcess({ PODGATE_UPSTREAM_CLIENT: "fetch", ...env }),
  );
} else {Deno.test({
    name: "[binary] proxy scenarios (skipped: PODGATE_BIN is not set)",
    ignore: true,
    fn() {},
  });}
