// Slow and hostile clients through the compiled binary (PODGATE_BIN): Bun.serve in front.
import { clientLimitsScenarios } from "../support/client_limits_scenarios.ts";
import { PODGATE_BIN } from "../support/process.ts";
import { startProcess } from "../support/proxy_target.ts";

if (PODGATE_BIN) clientLimitsScenarios("binary", startProcess, "bun");
else {
  Deno.test({
    name: "[binary] client limits scenarios (skipped: PODGATE_BIN is not set)",
    ignore: true,
    fn() {},
  });
}
